// Forwards an allowed request to its upstream and streams the answer back as it arrives
// (server-sent events and chunked bodies reach the client chunk by chunk). The response is
// written straight from undici's dispatch callbacks into the client response: `pool.stream()`
// costs more per request (an AsyncResource, a promise, and `finished()` hanging half a dozen
// listeners on the response), measured on the request thread. A client that leaves stops the
// upstream request, so nobody pays for a generation that no one reads.
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
  /** The upstream's status; 0 when the client left before the upstream answered. */
  readonly status: number;
  readonly bytes: number;
  /** The client closed its connection before the response was complete; the upstream request was stopped. */
  readonly clientClosed: boolean;
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
   * Resolves when the response has been handed to the client's socket, or when the client left.
   * Rejects with an AirlockError (upstream_unavailable / upstream_timeout) only when nothing has
   * been sent to the client yet; a failure mid-stream ends the client response instead, as there
   * is no way to refuse any more.
   */
  forward(req: ForwardRequest, res: ServerResponse): Promise<ForwardOutcome> {
    // Gone while its request was decided: a relay would never see the close it waits for.
    if (res.destroyed) return Promise.resolve({ status: 0, bytes: 0, clientClosed: true });
    return new Promise((resolve, reject) => {
      this.pool.dispatch(
        {
          path: `${this.basePath}${req.path}${req.query}`,
          method: req.method,
          headers: upstreamRequestHeaders(req.headers, this.inject, req.clientIp, req.body.length),
          body: req.body.length ? req.body : null,
        },
        new ResponseRelay(res, req.requestId, resolve, reject),
      );
    });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

const CLIENT_CLOSED = 'the client closed its connection';

/** The relay a client response belongs to, for the module-level listeners below (no closure per request). */
const RELAY = Symbol('airlock.relay');
type RelayedResponse = ServerResponse & { [RELAY]?: ResponseRelay };

/** Relays one upstream response into one client response, with the client's backpressure. */
class ResponseRelay implements Dispatcher.DispatchHandler {
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
    private readonly res: RelayedResponse,
    private readonly requestId: string,
    private readonly resolve: (outcome: ForwardOutcome) => void,
    private readonly reject: (err: unknown) => void,
  ) {
    this.socket = res.socket;
    this.bytesBefore = this.socket?.bytesWritten ?? 0;
    res[RELAY] = this;
    res.on('close', onClientClose);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.clientClosed) controller.abort(new Error(CLIENT_CLOSED));
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // informational: the final answer follows
    this.status = statusCode;
    // Headers go to writeHead in one object: a header set earlier with setHeader would send
    // node:http down its slow path, re-validating every upstream header one by one.
    const out = clientResponseHeaders(headers);
    out['airlock-request-id'] = this.requestId;
    this.res.writeHead(statusCode, out);
    if (this.res.writableNeedDrain) this.pause(controller);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.res.write(chunk)) this.pause(controller);
  }

  onResponseEnd(): void {
    this.res.end();
    this.settle();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.settled) return;
    if (this.clientClosed || this.res.headersSent) {
      this.res.destroy();
      this.settle();
      return;
    }
    this.settled = true;
    this.reject(toUpstreamError(err));
  }

  /** The client went away: stop the upstream request unless the response is already complete. */
  clientLeft(): void {
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

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve({ status: this.status, bytes: (this.socket?.bytesWritten ?? 0) - this.bytesBefore, clientClosed: this.clientClosed });
  }
}

/** A response's 'close' fires after a complete response too; the relay tells the two apart. */
function onClientClose(this: RelayedResponse): void {
  this[RELAY]?.clientLeft();
}

function toUpstreamError(err: unknown): AirlockError {
  if (err instanceof errors.ConnectTimeoutError || err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError) {
    return new AirlockError('upstream_timeout', 'the upstream did not answer in time');
  }
  return new AirlockError('upstream_unavailable', 'the upstream could not be reached');
}
