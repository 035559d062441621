// Identify stage: reads the credential out of an `Authorization` header.
//
// Only `Bearer <token>` (RFC 6750; the scheme is case-insensitive). A credential anywhere else
// (query string, cookie) is not looked at: those leak into logs and browser history.

import { AirlockError } from '../lib/errors.js';
import { NO_BEARER_TOKEN } from '../lib/problem.js';

// b64token from RFC 6750 section 2.1: JWTs and `alk_` keys both fit it.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

export function bearerToken(authorization: string | undefined): string {
  // No token at all (nothing, or another scheme such as Basic) gets a bare challenge (RFC 6750 3.1).
  if (authorization === undefined || !/^\s*bearer(\s|$)/i.test(authorization)) {
    throw new AirlockError('unauthenticated', NO_BEARER_TOKEN);
  }
  const match = BEARER.exec(authorization.trim());
  if (!match) throw new AirlockError('unauthenticated', 'malformed Authorization header');
  return match[1]!;
}
