// Limits every listener sets explicitly instead of trusting node's defaults: how long a client may
// take to send its headers (a slowloris client is cut once this passes, while others are served),
// the whole request, an idle keep-alive connection; how many connections in total and from one
// client address. node checks the header and request timeouts on an interval (30 s by default),
// which would let a slow client hold its socket that much longer, so the interval follows the
// header timeout.
import type { Server as HttpServer, ServerOptions } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { z } from 'zod';

export const listenerLimitsSchema = z.strictObject({
  header_timeout_ms: z.number().int().positive().default(10_000),
  /** Receiving the whole request (an upload included); 0: no limit. */
  request_timeout_ms: z.number().int().min(0).default(300_000),
  idle_timeout_ms: z.number().int().positive().default(65_000),
  max_connections: z.number().int().positive().default(4096),
  max_connections_per_client: z.number().int().positive().default(512),
});

export type ListenerLimits = z.infer<typeof listenerLimitsSchema>;

export const DEFAULT_LISTENER_LIMITS: ListenerLimits = listenerLimitsSchema.parse({});

/** Options for createServer: the timeouts and the checking interval that enforces them. */
export function serverOptions(limits: ListenerLimits): ServerOptions {
  return {
    keepAliveTimeout: limits.idle_timeout_ms,
    headersTimeout: limits.header_timeout_ms,
    requestTimeout: limits.request_timeout_ms,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.header_timeout_ms / 4))),
    noDelay: true,
  };
}

const TOO_MANY = 'HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: 37\r\n\r\ntoo many connections from one client\n';

/** Caps connections in total (node's maxConnections) and per client address. */
export function limitConnections(server: HttpServer | HttpsServer, limits: ListenerLimits): void {
  server.maxConnections = limits.max_connections;
  const perClient = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const open = (perClient.get(address) ?? 0) + 1;
    if (open > limits.max_connections_per_client) {
      socket.end(TOO_MANY);
      socket.destroySoon();
      return;
    }
    perClient.set(address, open);
    socket.once('close', () => {
      const left = (perClient.get(address) ?? 1) - 1;
      if (left > 0) perClient.set(address, left);
      else perClient.delete(address);
    });
  });
}
