// The address a request came from, as the gateway's socket sees it.
import type { IncomingMessage } from 'node:http';

export function clientIpOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? '0.0.0.0';
}
