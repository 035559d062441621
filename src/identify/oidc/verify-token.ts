// Identify stage, OIDC: verifies a bearer JWT from a configured issuer and returns its Principal.
//
// Promises: only RS256/ES256/EdDSA signatures from the issuer's JWKS; `iss`, `aud`, `exp`, `nbf`
// checked with 60 s tolerance; `exp` and `sub` required; the `typ` an access token's (no ID
// tokens, token-type.ts); every refusal is an AirlockError 'unauthenticated' with a fixed reason
// that contains nothing from the token.

import { decodeJwt, jwtVerify } from 'jose';
import { AirlockError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { LruCache } from '../../lib/lru-cache.js';
import type { Principal } from '../../model/principal.js';
import { identityFromClaims, principalFromIdentity, type VerifiedIdentity } from './claims.js';
import { ALLOWED_ALGORITHMS, CLOCK_TOLERANCE_S, MAX_TOKEN_LENGTH, type OidcIssuerConfig } from './issuer-config.js';
import { loadIssuers, type Issuer } from './issuers.js';
import type { KeyLife } from './published-keys.js';
import { refusalReason } from './refusal-reason.js';
import { tokenTypeRefusal } from './token-type.js';

export interface OidcVerifierOptions {
  /** Clock in unix ms; injected by tests. */
  readonly now?: () => number;
  /** Directory that relative jwks_file paths are resolved against. */
  readonly baseDir?: string;
  readonly cacheSize?: number;
  /** Where an issuer whose keys cannot be fetched is reported. */
  readonly log?: Logger;
  /** Test hook: least time between key-set reads triggered by unknown kids (ms). */
  readonly jwksCooldownMs?: number;
}

export interface OidcVerifier {
  verify(token: string): Promise<Principal>;
  /** The principal of a token verified before and still good; undefined for anything else. */
  cached(token: string): Principal | undefined;
  /** Stops the key-set refreshes. */
  close(): void;
}

/** A verified token: what it proves, and the life of the key that signed it. */
interface CachedToken extends VerifiedIdentity {
  readonly key: KeyLife;
}

const refuse = (reason: string) => new AirlockError('unauthenticated', reason);

/** Same rule as jose's: refused once exp <= now - tolerance. */
const expired = (t: CachedToken, nowMs: number) => t.exp <= Math.floor(nowMs / 1000) - CLOCK_TOLERANCE_S;

export async function createOidcVerifier(
  configs: readonly OidcIssuerConfig[],
  opts: OidcVerifierOptions = {},
): Promise<OidcVerifier> {
  const now = opts.now ?? Date.now;
  const issuers = await loadIssuers(configs, {
    now,
    baseDir: opts.baseDir ?? process.cwd(),
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.jwksCooldownMs !== undefined ? { jwksCooldownMs: opts.jwksCooldownMs } : {}),
  });
  // Verified tokens, keyed by the whole token string (a changed byte is a miss; the issuer is
  // inside it, so two issuers' tokens never share an entry). Entries hold claims, not a finished
  // Principal: the time-dependent parts are recomputed at each use.
  const cache = new LruCache<string, CachedToken>(Math.max(1, opts.cacheSize ?? 10_000));

  async function verifyUncached(token: string, nowMs: number): Promise<Principal> {
    if (token.length > MAX_TOKEN_LENGTH) throw refuse('token too large');
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw refuse('malformed token');
    }
    // The unverified `iss` only picks which keys to try; jwtVerify checks it again once signed.
    const issuer: Issuer | undefined = typeof iss === 'string' ? issuers.get(iss) : undefined;
    if (!issuer) throw refuse('unknown token issuer');
    let verified;
    try {
      verified = await jwtVerify(token, issuer.getKey, {
        issuer: issuer.config.issuer,
        audience: issuer.config.audience,
        algorithms: [...ALLOWED_ALGORITHMS],
        clockTolerance: CLOCK_TOLERANCE_S,
        currentDate: new Date(nowMs),
        requiredClaims: ['exp', 'sub'],
      });
    } catch (err) {
      throw refuse(refusalReason(err));
    }
    const { payload, protectedHeader } = verified;
    const wrongType = tokenTypeRefusal(protectedHeader.typ, payload, issuer.tokenTypes);
    if (wrongType) throw refuse(wrongType);
    const identity = identityFromClaims(payload, issuer.rules);
    if (!identity) throw refuse('token has no subject');
    // A key dropped from the set while this token was being verified leaves it uncached.
    const key = issuer.lifeOf(protectedHeader.kid);
    if (key?.live) cache.set(token, { ...identity, key });
    return principalFromIdentity(identity, nowMs);
  }

  return {
    async verify(token) {
      const nowMs = now();
      const hit = cache.get(token);
      if (hit === undefined) return verifyUncached(token, nowMs);
      if (expired(hit, nowMs)) {
        cache.delete(token);
        throw refuse('token expired');
      }
      if (hit.key.live) return principalFromIdentity(hit, nowMs);
      // Its signing key is no longer published: verified afresh, which fails unless it is back.
      cache.delete(token);
      return verifyUncached(token, nowMs);
    },
    cached(token) {
      const hit = cache.get(token);
      if (hit === undefined || !hit.key.live) return undefined;
      const nowMs = now();
      return expired(hit, nowMs) ? undefined : principalFromIdentity(hit, nowMs);
    },
    close() {
      for (const issuer of issuers.values()) issuer.close();
    },
  };
}
