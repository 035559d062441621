// Forwards an allowed request to its upstream and streams the answer back as it arrives
// (server-sent events and chunked bodies reach the client chunk by chunk), written straight from
// undici's dispatch callbacks into the client response. Not `pool.stream()`: it watches the
// client only once the upstream's headers are in, so a client that gave up on a long generation
// left the model generating for nobody. Here a client that leaves, at any point, stops the
// upstream request (the two cost the same on the request thread, measured with bench/ab.ts).
// Only the pipeline calls this, and only after a decision of `allow` is durable in the audit log.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { Pool, errors, type Dispatcher } from 'undici';
import { AirlockError } from '../../lib/errors.js';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.js';
import { LiveInject } from './live-inject.js';

export interface ForwardRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly clientIp: string;
  /** Sent back as `Airlock-Request-Id`, whatever the upstream says. */
  readonly requestId: string;
  /** The signed identity assertion, for a resource that asks for one. */
  readonly assertion?: string;
  /** The gateway's own traceparent for this hop, when tracing (else the client's passes through). */
  readonly traceparent?: string;
  /** A long-lived answer (a Kubernetes watch) that may be quiet for minutes: no idle limit on its body. */
  readonly streaming?: boolean;
}

/** Where a surface forwards to: an `openai` or `http` resource, or any surface with the same keys. */
export interface UpstreamTarget {
  /** The resource's name, for errors that name a config key. */
  readonly name?: string;
  readonly upstream: string;
  readonly inject: { readonly headers: Readonly<Record<string, string>> };
  readonly timeouts: { readonly connect_ms: number; readonly response_ms: number };
  readonly identity_assertion?: { readonly header: string };
  /** TLS to the upstream beyond the system's trust store: a private CA, or (test clusters) no verification. */
  readonly tls?: { readonly ca?: string; readonly rejectUnauthorized: boolean };
}

type UpstreamErrorCode = 'upstream_unavailable' | 'upstream_timeout';

export interface ForwardOutcome {
  /** The upstream's status; 0 when the client left before the upstream answered. */
  readonly status: number;
  readonly bytes: number;
  /**
   * Why the response is incomplete, if it is: the client left (and the upstream request was
   * stopped), or the upstream failed after its answer had begun.
   */
  readonly error?: 'client_closed' | UpstreamErrorCode;
}

export class Upstream {
  private readonly pool: Pool;
  private readonly basePath: string;
  /** The gateway's credential headers, shared with whatever else reaches this upstream. */
  readonly inject: LiveInject;
  private readonly assertionHeader: string | undefined;

  /** `secrets`: set when `inject` references secrets (its values are then live, see MountContext). */
  constructor(resource: UpstreamTarget, secrets?: { readonly generation: number }) {
    const url = new URL(resource.upstream);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.inject = new LiveInject(resource, secrets);
    this.assertionHeader = resource.identity_assertion?.header.toLowerCase();
    this.pool = new Pool(url.origin, {
      connections: 128,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connectTimeout: resource.timeouts.connect_ms,
      headersTimeout: resource.timeouts.response_ms,
      bodyTimeout: resource.timeouts.response_ms,
      ...(resource.tls ? { connect: { ca: resource.tls.ca, rejectUnauthorized: resource.tls.rejectUnauthorized } } : {}),
    });
  }

  /**
   * Resolves when the response has been handed to the client's socket, or when the client left.
   * Rejects with an AirlockError (upstream_unavailable / upstream_timeout) only when nothing has
   * been sent to the client yet; a failure mid-stream ends the client response instead, as there
   * is no way to refuse any more.
   */
  forward(req: ForwardRequest, res: ServerResponse, observe?: (chunk: Buffer) => void): Promise<ForwardOutcome> {
    // Gone while its request was decided: a relay would never see the close it waits for.
    if (res.destroyed) return Promise.resolve({ status: 0, bytes: 0, error: 'client_closed' });
    return new Promise((resolve, reject) => {
      this.pool.dispatch(
        {
          path: `${this.basePath}${req.path}${req.query}`,
          method: req.method,
          headers: this.headersFor(req),
          body: req.body.length ? req.body : null,
          ...(req.streaming ? { bodyTimeout: 0 } : {}),
        },
        new ResponseRelay(res, req.requestId, resolve, reject, observe, undefined, req.streaming),
      );
    });
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private headersFor(req: ForwardRequest): Record<string, string | string[]> {
    const headers = upstreamRequestHeaders(req.headers, this.inject.current(), req.clientIp, req.body.length, this.assertionHeader);
    if (this.assertionHeader && req.assertion) headers[this.assertionHeader] = req.assertion;
    if (req.traceparent) headers.traceparent = req.traceparent;
    return headers;
  }
}

const CLIENT_CLOSED = 'the client closed its connection';

/** Relays one upstream response into one client response, with the client's backpressure. */
export class ResponseRelay implements Dispatcher.DispatchHandler {
  private status = 0;
  private controller: Dispatcher.DispatchController | undefined;
  private settled = false;
  private clientClosed = false;
  // Bytes are counted on the socket (headers included): wrapping the response to count body
  // bytes would cost a copy per chunk. The socket is detached from the response once it
  // finishes, so it is held here.
  private readonly socket;
  private readonly bytesBefore: number;

  constructor(
    private readonly res: ServerResponse,
    private readonly requestId: string,
    private readonly resolve: (outcome: ForwardOutcome) => void,
    private readonly reject: (err: unknown) => void,
    /** Sees each chunk of the answer as it is relayed (an openai answer's usage). */
    private readonly observe?: (chunk: Buffer) => void,
    /** Sees the final status and headers before they are relayed (an S3 object's ETag). */
    private readonly inspect?: (status: number, headers: IncomingHttpHeaders) => void,
    /** Send the headers at once: a watch's client waits for them before its first event arrives. */
    private readonly flushHeaders = false,
  ) {
    this.socket = res.socket;
    this.bytesBefore = this.socket?.bytesWritten ?? 0;
    res.on('close', () => this.clientLeft());
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.clientClosed) controller.abort(new Error(CLIENT_CLOSED));
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // informational: the final answer follows
    this.status = statusCode;
    this.inspect?.(statusCode, headers);
    // Headers go to writeHead in one object: a header set earlier with setHeader would send
    // node:http down its slow path, re-validating every upstream header one by one.
    const out = clientResponseHeaders(headers);
    out['airlock-request-id'] = this.requestId;
    this.res.writeHead(statusCode, out);
    if (this.flushHeaders) this.res.flushHeaders();
    if (this.res.writableNeedDrain) this.pause(controller);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.observe?.(chunk);
    if (!this.res.write(chunk)) this.pause(controller);
  }

  onResponseEnd(): void {
    this.res.end();
    this.settle();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.settled) return;
    if (!this.clientClosed && !this.res.headersSent) {
      // Nothing has reached the client: the pipeline can still answer with a problem.
      this.settled = true;
      this.reject(toUpstreamError(err));
      return;
    }
    this.res.destroy();
    this.settle(this.clientClosed ? 'client_closed' : upstreamErrorCode(err));
  }

  /** The response's 'close' fires after a complete response too; only an early one stops the upstream. */
  private clientLeft(): void {
    if (this.settled) return;
    this.clientClosed = true;
    this.controller?.abort(new Error(CLIENT_CLOSED));
  }

  /** Stops reading from the upstream until the client has taken what is buffered. */
  private pause(controller: Dispatcher.DispatchController): void {
    if (this.res.destroyed) return this.clientLeft(); // nothing will ever drain
    controller.pause();
    this.res.once('drain', () => controller.resume());
  }

  private settle(error?: ForwardOutcome['error']): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve({ status: this.status, bytes: (this.socket?.bytesWritten ?? 0) - this.bytesBefore, error });
  }
}

export function upstreamErrorCode(err: unknown): UpstreamErrorCode {
  const timedOut = err instanceof errors.ConnectTimeoutError || err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError;
  return timedOut ? 'upstream_timeout' : 'upstream_unavailable';
}

export function toUpstreamError(err: unknown): AirlockError {
  return upstreamErrorCode(err) === 'upstream_timeout'
    ? new AirlockError('upstream_timeout', 'the upstream did not answer in time')
    : new AirlockError('upstream_unavailable', 'the upstream could not be reached');
}
