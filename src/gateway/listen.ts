// Starting and draining node:http servers (node:https when the listener has a certificate).
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { DEFAULT_LISTENER_LIMITS, limitConnections, serverOptions, type ListenerLimits } from './listener-limits.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
export type Server = HttpServer | HttpsServer;

/** A certificate and key (PEM), and for client certificates the CAs that sign them. */
export type ListenerTls = Pick<HttpsOptions, 'cert' | 'key' | 'ca' | 'requestCert' | 'rejectUnauthorized'>;

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => Promise<void>;

/**
 * `upgrade` only when some surface relays upgrades: with an 'upgrade' listener node hands it
 * every request that asks for one (curl's h2c offer too), which a plain proxy would answer as usual.
 */
export async function listen(
  hostPort: string,
  handler: Handler,
  opts: { readonly upgrade?: UpgradeHandler; readonly limits?: ListenerLimits; readonly tls?: ListenerTls } = {},
): Promise<{ server: Server; url: string }> {
  const { upgrade, limits = DEFAULT_LISTENER_LIMITS, tls } = opts;
  const i = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, i).replace(/^\[|\]$/g, '') || '0.0.0.0';
  const port = Number(hostPort.slice(i + 1));
  const onRequest = (req: IncomingMessage, res: ServerResponse) => void handler(req, res);
  const server: Server = tls ? createHttpsServer({ ...serverOptions(limits), ...tls }, onRequest) : createServer(serverOptions(limits), onRequest);
  limitConnections(server, limits);
  if (upgrade) server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void upgrade(req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return { server, url: `${tls ? 'https' : 'http'}://${shownHost}:${addr.port}` };
}

/** Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts what is left. */
export async function drain(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearInterval(idle);
  clearTimeout(timer);
}
