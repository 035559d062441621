// Header checks every surface applies before it reads a request, where two readers of the same
// request could disagree about it.
import type { IncomingMessage } from 'node:http';
import { AirlockError } from './errors.js';

/**
 * node keeps the first of two Authorization headers and drops the second; another hop may keep
 * the other one. A request that carries two credentials is refused rather than guessed at.
 */
export function refuseDuplicateAuthorization(req: IncomingMessage): void {
  const raw = req.rawHeaders;
  let seen = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization' && ++seen > 1) {
      throw new AirlockError('bad_request', 'the request has more than one Authorization header');
    }
  }
}

/**
 * A body the gateway decides on must be the bytes it read: a compressed body would be decided on
 * what the gateway could not read and served as what the upstream decodes.
 */
export function refuseEncodedBody(req: IncomingMessage, body: Buffer): void {
  const encoding = req.headers['content-encoding'];
  if (body.length && encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    throw new AirlockError('unsupported_media_type', `a body with Content-Encoding "${encoding.slice(0, 40)}" cannot be decided on; send it uncompressed`);
  }
}
