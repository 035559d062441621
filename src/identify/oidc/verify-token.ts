// Identify stage, OIDC: verifies a bearer JWT from a configured issuer and returns its Principal.
//
// Promises: only RS256/ES256/EdDSA signatures from the issuer's JWKS; `iss`, `aud`, `exp`, `nbf`
// checked with 60 s tolerance; `exp` and `sub` required; every refusal is an AirlockError
// 'unauthenticated' with a fixed reason that contains nothing from the token.

import { decodeJwt, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { AirlockError } from '../../lib/errors.js';
import { LruCache } from '../../lib/lru-cache.js';
import type { Principal } from '../../model/principal.js';
import { identityFromClaims, principalFromIdentity, type VerifiedIdentity } from './claims.js';
import {
  ALLOWED_ALGORITHMS,
  CLOCK_TOLERANCE_S,
  DEFAULT_GROUPS_CLAIM,
  MAX_TOKEN_LENGTH,
  type OidcIssuerConfig,
} from './issuer-config.js';
import { loadJwksFile } from './jwks-file.js';
import { createRemoteJwks } from './jwks-remote.js';
import { refusalReason } from './refusal-reason.js';

export interface OidcVerifierOptions {
  /** Clock in unix ms; injected by tests. */
  readonly now?: () => number;
  /** Directory that relative jwks_file paths are resolved against. */
  readonly baseDir?: string;
  readonly cacheSize?: number;
}

export interface OidcVerifier {
  verify(token: string): Promise<Principal>;
  /** The principal of a token verified before and not yet expired; undefined for anything else. */
  cached(token: string): Principal | undefined;
}

interface Issuer {
  readonly config: OidcIssuerConfig;
  readonly groupsClaim: string;
  readonly getKey: JWTVerifyGetKey;
}

const refuse = (reason: string) => new AirlockError('unauthenticated', reason);

export async function createOidcVerifier(
  configs: readonly OidcIssuerConfig[],
  opts: OidcVerifierOptions = {},
): Promise<OidcVerifier> {
  const now = opts.now ?? Date.now;
  const issuers = await loadIssuers(configs, now, opts.baseDir ?? process.cwd());
  // Verified tokens, keyed by the whole token string (a changed byte is a miss). Entries hold
  // claims, not a finished Principal: the time-dependent parts are recomputed at each use.
  const cache = new LruCache<string, VerifiedIdentity>(Math.max(1, opts.cacheSize ?? 10_000));

  async function verifyUncached(token: string, nowMs: number): Promise<Principal> {
    if (token.length > MAX_TOKEN_LENGTH) throw refuse('token too large');
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw refuse('malformed token');
    }
    // The unverified `iss` only picks which keys to try; jwtVerify checks it again once signed.
    const issuer = typeof iss === 'string' ? issuers.get(iss) : undefined;
    if (!issuer) throw refuse('unknown token issuer');
    let payload;
    try {
      ({ payload } = await jwtVerify(token, issuer.getKey, {
        issuer: issuer.config.issuer,
        audience: issuer.config.audience,
        algorithms: [...ALLOWED_ALGORITHMS],
        clockTolerance: CLOCK_TOLERANCE_S,
        currentDate: new Date(nowMs),
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      throw refuse(refusalReason(err));
    }
    const identity = identityFromClaims(payload, issuer.groupsClaim);
    if (!identity) throw refuse('token has no subject');
    cache.set(token, identity);
    return principalFromIdentity(identity, nowMs);
  }

  return {
    async verify(token) {
      const nowMs = now();
      const hit = cache.get(token);
      if (hit === undefined) return verifyUncached(token, nowMs);
      // Same rule as jose's: refused once exp <= now - tolerance.
      if (hit.exp <= Math.floor(nowMs / 1000) - CLOCK_TOLERANCE_S) {
        cache.delete(token);
        throw refuse('token expired');
      }
      return principalFromIdentity(hit, nowMs);
    },
    cached(token) {
      const hit = cache.get(token);
      if (hit === undefined) return undefined;
      const nowMs = now();
      return hit.exp <= Math.floor(nowMs / 1000) - CLOCK_TOLERANCE_S ? undefined : principalFromIdentity(hit, nowMs);
    },
  };
}

async function loadIssuers(
  configs: readonly OidcIssuerConfig[],
  now: () => number,
  baseDir: string,
): Promise<Map<string, Issuer>> {
  const issuers = new Map<string, Issuer>();
  for (const [i, config] of configs.entries()) {
    const where = `identity.oidc[${i}]`;
    if (issuers.has(config.issuer)) throw new AirlockError('config_invalid', `${where}.issuer: listed twice`);
    if ((config.jwks_file === undefined) === (config.jwks_uri === undefined)) {
      throw new AirlockError('config_invalid', `${where}: set exactly one of jwks_file and jwks_uri`);
    }
    if (config.jwks_uri !== undefined && !isHttpUrl(config.jwks_uri)) {
      throw new AirlockError('config_invalid', `${where}.jwks_uri: must be an http(s) URL`);
    }
    const getKey =
      config.jwks_file !== undefined
        ? await loadJwksFile(config.jwks_file, baseDir, `${where}.jwks_file`)
        : createRemoteJwks(config.jwks_uri!, { now }).getKey;
    issuers.set(config.issuer, { config, groupsClaim: config.groups_claim ?? DEFAULT_GROUPS_CLAIM, getKey });
  }
  return issuers;
}

function isHttpUrl(text: string): boolean {
  return URL.canParse(text) && /^https?:$/.test(new URL(text).protocol);
}
