// Forwards an allowed request to its upstream and streams the answer back as it arrives
// (server-sent events and chunked bodies reach the client chunk by chunk). undici's
// `pool.stream()` writes straight into the client response: the cheapest path measured here.
// Only the pipeline calls this, and only after a decision of `allow` is durable in the audit log.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { Pool, errors, type Dispatcher } from 'undici';
import type { ResourceConfig } from '../../config/schema.js';
import { AirlockError } from '../../lib/errors.js';
import { clientResponseHeaders, normalizeInject, upstreamRequestHeaders } from './headers.js';

export interface ForwardRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly clientIp: string;
  /** Sent back as `Airlock-Request-Id`, whatever the upstream says. */
  readonly requestId: string;
}

export interface ForwardOutcome {
  readonly status: number;
  readonly bytes: number;
}

export class Upstream {
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly inject: [string, string][];

  constructor(private readonly resource: ResourceConfig) {
    const url = new URL(resource.upstream);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.inject = normalizeInject(resource.inject.headers);
    this.pool = new Pool(url.origin, {
      connections: 128,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connectTimeout: resource.timeouts.connect_ms,
      headersTimeout: resource.timeouts.response_ms,
      bodyTimeout: resource.timeouts.response_ms,
    });
  }

  /**
   * Resolves when the response has been fully written. Rejects with an AirlockError
   * (upstream_unavailable / upstream_timeout) only when nothing has been sent to the client yet;
   * a failure mid-stream ends the client response instead, as there is no way to refuse any more.
   */
  async forward(req: ForwardRequest, res: ServerResponse): Promise<ForwardOutcome> {
    // Bytes are counted on the socket (headers included): wrapping the response to count body
    // bytes would cost a copy per chunk on the hot path.
    // The socket is detached from the response once it finishes, so hold on to it here.
    const socket = res.socket;
    const before = socket?.bytesWritten ?? 0;
    // Passed as undici's `opaque` to a module-level factory: no closure is made per request.
    const answer: Answer = { res, requestId: req.requestId, status: 0 };
    try {
      await this.pool.stream(
        {
          path: `${this.basePath}${req.path}${req.query}`,
          method: req.method,
          headers: upstreamRequestHeaders(req.headers, this.inject, req.clientIp, req.body.length),
          body: req.body.length ? req.body : null,
          opaque: answer,
        },
        respond,
      );
    } catch (err) {
      if (!res.headersSent) throw toUpstreamError(err);
      res.destroy();
    }
    return { status: answer.status, bytes: (socket?.bytesWritten ?? 0) - before };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

interface Answer {
  readonly res: ServerResponse;
  readonly requestId: string;
  status: number;
}

function respond({ statusCode, headers, opaque }: Dispatcher.StreamFactoryData<Answer>): ServerResponse {
  opaque.status = statusCode;
  // Headers go to writeHead in one object: a header set earlier with setHeader would send
  // node:http down its slow path, re-validating every upstream header one by one.
  const out = clientResponseHeaders(headers);
  out['airlock-request-id'] = opaque.requestId;
  return opaque.res.writeHead(statusCode, out);
}

function toUpstreamError(err: unknown): AirlockError {
  if (err instanceof errors.ConnectTimeoutError || err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError) {
    return new AirlockError('upstream_timeout', 'the upstream did not answer in time');
  }
  return new AirlockError('upstream_unavailable', 'the upstream could not be reached');
}
