// Relays an upgraded stream (exec, attach, port-forward: WebSocket `v5.channel.k8s.io` and its
// elders, or SPDY/3.1 for older kubectl) once it has been decided. The gateway opens its own
// connection to the API server, sends the client's upgrade request with the client's credential
// and identity headers replaced by the gateway's (as for any forwarded request) and the upgrade
// headers kept, and hands the API server's answer back as it came: the handshake (the WebSocket
// accept key answers the client's own key) and then the bytes both ways, unread and unbuffered.
// Whatever the protocol, the session's bytes each way are counted for its audit record. An answer
// that is not 101 (the API server refusing the exec) is relayed and ends the session.
import net from 'node:net';
import tls from 'node:tls';
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { AirlockError } from '../../lib/errors.js';
import type { UpstreamTarget } from '../http/forward.js';
import { upstreamRequestHeaders } from '../http/headers.js';
import type { LiveInject } from '../http/live-inject.js';

export interface UpgradeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  /** Bytes the client sent after its request head, already read by node. */
  readonly head: Buffer;
  readonly clientIp: string;
  readonly requestId: string;
}

export interface UpgradeOutcome {
  /** The API server's status: 101 for a session, anything else for its refusal. */
  readonly status: number;
  /** Bytes from the client to the API server after the handshake (stdin, forwarded ports). */
  readonly bytesIn: number;
  /** Bytes from the API server to the client after the handshake (stdout, stderr). */
  readonly bytesOut: number;
  /** Why the session ended, when it was not by a clean close. */
  readonly error?: string;
}

const MAX_HEAD = 64 * 1024;

/**
 * Resolves when the session is over. Rejects with an AirlockError (upstream_unavailable or
 * upstream_timeout) only when nothing has been written to the client yet, so the caller can still
 * answer with a refusal. `started` is called once the API server's answer is known.
 */
export function relayUpgrade(target: UpstreamTarget, inject: LiveInject, req: UpgradeRequest, client: Duplex, started?: (status: number) => void): Promise<UpgradeOutcome> {
  const url = new URL(target.upstream);
  const secure = url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let head: string;
  try {
    // Before connecting: a credential that cannot be rendered is a refusal, not a throw in a socket handler.
    head = requestHead(url, inject.current(), req);
  } catch (err) {
    return Promise.reject(err);
  }
  return new Promise((resolve, reject) => {
    const upstream = secure
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ca: target.tls?.ca, rejectUnauthorized: target.tls?.rejectUnauthorized ?? true })
      : net.connect({ host, port });
    let status = 0;
    let bytesIn = 0;
    let bytesOut = 0;
    let settled = false;
    let answered = false;
    const connectTimer = setTimeout(() => fail(new AirlockError('upstream_timeout', 'the API server did not answer in time')), target.timeouts.connect_ms);

    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      upstream.destroy();
      client.destroy();
      resolve({ status, bytesIn, bytesOut, ...(error ? { error } : {}) });
    };
    function fail(err: AirlockError) {
      if (answered) return finish(err.code);
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      upstream.destroy();
      reject(err);
    }

    upstream.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(connectTimer);
      upstream.write(head);
      if (req.head.length) {
        bytesIn += req.head.length;
        upstream.write(req.head);
      }
    });
    upstream.on('error', () => fail(new AirlockError('upstream_unavailable', 'the API server could not be reached')));
    upstream.once('close', () => {
      if (!answered) fail(new AirlockError('upstream_unavailable', 'the API server closed the connection without an answer'));
    });
    client.on('error', () => finish('client_closed'));

    let pending = Buffer.alloc(0);
    const onHead = (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) {
        if (pending.length > MAX_HEAD) fail(new AirlockError('upstream_unavailable', 'the API server sent an unreadable answer'));
        return;
      }
      upstream.off('data', onHead);
      const head = pending.subarray(0, end).toString('latin1');
      const rest = pending.subarray(end + 4);
      status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      if (!status) return fail(new AirlockError('upstream_unavailable', 'the API server sent an unreadable answer'));
      answered = true;
      started?.(status);
      client.write(`${head}\r\nairlock-request-id: ${req.requestId}\r\n\r\n`);
      if (status === 101) return session(rest);
      refusal(head, rest);
    };
    upstream.on('data', onHead);

    /** Both ways, as they come, each way paused while the other side cannot take more. */
    function session(rest: Buffer) {
      if (rest.length) {
        bytesOut += rest.length;
        client.write(rest);
      }
      upstream.on('data', (c: Buffer) => {
        bytesOut += c.length;
        if (!client.write(c)) upstream.pause();
      });
      client.on('drain', () => upstream.resume());
      client.on('data', (c: Buffer) => {
        bytesIn += c.length;
        if (!upstream.write(c)) client.pause();
      });
      upstream.on('drain', () => client.resume());
      upstream.on('end', () => finish());
      client.on('end', () => upstream.end());
      upstream.on('close', () => finish());
      client.on('close', () => finish(settled ? undefined : 'client_closed'));
    }

    /** The API server refused the upgrade: its answer (a Status) goes to the client, then both close. */
    function refusal(head: string, rest: Buffer) {
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? NaN);
      let left = Number.isFinite(length) ? length : Infinity;
      const relay = (c: Buffer) => {
        const part = c.subarray(0, Math.min(c.length, left));
        left -= part.length;
        bytesOut += part.length;
        client.write(part);
        if (left <= 0) client.end(() => finish());
      };
      if (rest.length) relay(rest);
      if (left > 0) {
        upstream.on('data', relay);
        upstream.on('end', () => client.end(() => finish()));
      }
      upstream.on('close', () => client.end(() => finish()));
    }
  });
}

/** The upgrade request as the API server gets it: path under the upstream's base, gateway headers. */
function requestHead(url: URL, inject: readonly [string, string][], req: UpgradeRequest): string {
  const headers = upstreamRequestHeaders(req.headers, inject, req.clientIp, 0);
  headers.host = url.host;
  headers.connection = 'Upgrade';
  if (req.headers.upgrade) headers.upgrade = req.headers.upgrade;
  let text = `${req.method} ${url.pathname.replace(/\/+$/, '')}${req.path}${req.query} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) text += `${name}: ${v.replace(/[\r\n]/g, '')}\r\n`;
  }
  return `${text}\r\n`;
}
