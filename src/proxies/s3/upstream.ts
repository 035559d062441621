// Forward stage for S3: requests to the real store, re-signed with the gateway's own credentials
// (`inject.aws`, @smithy/signature-v4); the client's signature never leaves the gateway. Bodies
// stream in both directions: the checked request body is the upstream request's body (undici
// reads it as the store takes it), and an answer is relayed with the client's backpressure
// (ResponseRelay, shared with the http surface), or, for the few answers the gateway must read
// (listings, the result of a copy or a completed multipart upload), read whole under a bound.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { SignatureV4 } from '@smithy/signature-v4';
import { Pool } from 'undici';
import { AirlockError } from '../../lib/errors.js';
import { ResponseRelay, toUpstreamError, type ForwardOutcome } from '../http/forward.js';
import type { S3ResourceConfig } from './config.js';
import { awsUriEncode } from './sigv4/encoding.js';
import { NodeSha256 } from './sigv4/node-sha256.js';

export interface UpstreamCall {
  readonly method: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly params: ReadonlyMap<string, string>;
  /** Headers to pass (upstream-headers.ts); the gateway adds host, date, content hash and signature. */
  readonly headers: Record<string, string>;
  /** The body's hex SHA-256 when the client signed it (the store checks it again), else UNSIGNED-PAYLOAD. */
  readonly payloadHash?: string;
  readonly body?: Readable;
  readonly contentLength?: number;
}

export interface BufferedAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** The most of an answer the gateway reads whole (a listing page of 1,000 keys is far less). */
const MAX_BUFFERED = 16 * 1024 * 1024;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export class S3Upstream {
  private readonly pool: Pool;
  private readonly signer: SignatureV4;
  private readonly url: URL;
  private readonly basePath: string;

  constructor(config: S3ResourceConfig) {
    this.url = new URL(config.upstream);
    this.basePath = this.url.pathname.replace(/\/+$/, '');
    this.signer = new SignatureV4({
      service: 's3',
      region: config.region,
      credentials: { accessKeyId: config.inject.aws.access_key_id, secretAccessKey: config.inject.aws.secret_access_key },
      sha256: NodeSha256,
      // S3 paths are encoded once, by the gateway, exactly as sent.
      uriEscapePath: false,
      applyChecksum: false,
    });
    this.pool = new Pool(this.url.origin, {
      connections: 128,
      keepAliveTimeout: 30_000,
      connectTimeout: config.timeouts.connect_ms,
      headersTimeout: config.timeouts.response_ms,
      bodyTimeout: config.timeouts.response_ms,
    });
  }

  /** Relays the answer to `res` as it streams; rejects (upstream_unavailable/timeout) only before anything was sent. */
  async relay(call: UpstreamCall, res: ServerResponse, requestId: string, inspect: (status: number, headers: IncomingHttpHeaders) => void): Promise<ForwardOutcome> {
    if (res.destroyed) return { status: 0, bytes: 0, error: 'client_closed' };
    const signed = await this.sign(call);
    return new Promise((resolve, reject) => {
      this.pool.dispatch({ ...signed, body: call.body ?? null }, new ResponseRelay(res, requestId, resolve, reject, undefined, inspect));
    });
  }

  /** The whole answer, read under a bound. */
  async fetch(call: UpstreamCall): Promise<BufferedAnswer> {
    const signed = await this.sign(call);
    let answer;
    try {
      answer = await this.pool.request({ ...signed, body: call.body ?? null });
    } catch (err) {
      throw toUpstreamError(err);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of answer.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_BUFFERED) {
          answer.body.destroy();
          throw new AirlockError('upstream_unavailable', 'the store answered with more than the gateway reads');
        }
        chunks.push(chunk);
      }
    } catch (err) {
      throw err instanceof AirlockError ? err : toUpstreamError(err);
    }
    return { status: answer.statusCode, headers: answer.headers, body: Buffer.concat(chunks, size) };
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async sign(call: UpstreamCall): Promise<{ method: string; path: string; headers: Record<string, string> }> {
    let path = this.basePath;
    if (call.bucket !== undefined) path += `/${awsUriEncode(call.bucket)}`;
    if (call.key !== undefined) path += `/${awsUriEncode(call.key, true)}`;
    if (path === '') path = '/';
    const query: Record<string, string> = {};
    for (const [k, v] of call.params) query[k] = v;
    const headers: Record<string, string> = {
      ...call.headers,
      host: this.url.host,
      'x-amz-content-sha256': call.payloadHash ?? (call.body ? 'UNSIGNED-PAYLOAD' : EMPTY_SHA256),
    };
    if (call.contentLength !== undefined) headers['content-length'] = String(call.contentLength);
    const signed = await this.signer.sign({ method: call.method, protocol: this.url.protocol, hostname: this.url.hostname, port: this.url.port ? Number(this.url.port) : undefined, path, query, headers });
    const qs = Object.entries(query).map(([k, v]) => `${awsUriEncode(k)}=${awsUriEncode(v)}`).join('&');
    return { method: call.method, path: qs ? `${path}?${qs}` : path, headers: signed.headers as Record<string, string> };
  }
}
