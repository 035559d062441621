// Identify stage, OIDC: signing keys from an issuer's jwks_uri, cached and refetched with a limit.
//
// jose's createRemoteJWKSet does the same but reads Date.now(); this one takes the identifier's
// clock so the refetch limit can be tested without waiting 30 seconds.

import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

export interface RemoteJwksOptions {
  readonly now: () => number;
  /** Least time between two fetches (ms): an attacker sending random `kid`s cannot make us hammer the IdP. */
  readonly cooldownMs?: number;
  /** After this long (ms) the keys are refetched before use, so removed keys stop working. */
  readonly maxAgeMs?: number;
  /** Least time between fetches after a failed one (ms). */
  readonly retryMs?: number;
  readonly timeoutMs?: number;
}

export interface RemoteJwks {
  readonly getKey: JWTVerifyGetKey;
  /** How many fetches were started; for tests and metrics. */
  fetchCount(): number;
}

export function createRemoteJwks(uri: string, opts: RemoteJwksOptions): RemoteJwks {
  const url = new URL(uri);
  const cooldownMs = opts.cooldownMs ?? 30_000;
  const retryMs = Math.min(cooldownMs, opts.retryMs ?? 5_000);
  const maxAgeMs = opts.maxAgeMs ?? 10 * 60_000;
  const timeoutMs = opts.timeoutMs ?? 5_000;
  let local: JWTVerifyGetKey | undefined;
  let fetchedAt = -Infinity;
  let nextFetchAt = -Infinity;
  let pending: Promise<void> | undefined;
  let fetches = 0;

  async function fetchKeys(): Promise<void> {
    fetches++;
    const started = opts.now();
    nextFetchAt = started + cooldownMs;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
      if (!res.ok) throw new Error(`JWKS fetch failed: HTTP ${res.status}`);
      local = createLocalJWKSet((await res.json()) as JSONWebKeySet);
      fetchedAt = opts.now();
    } catch (err) {
      // A failed fetch may be retried sooner than a successful one, but still not per request.
      nextFetchAt = started + retryMs;
      throw err;
    }
  }

  // Concurrent requests share one fetch; otherwise at most one fetch per cooldown.
  async function refetch(): Promise<void> {
    if (pending) return pending;
    if (opts.now() < nextFetchAt) throw new errors.JWKSNoMatchingKey();
    pending = fetchKeys().finally(() => {
      pending = undefined;
    });
    return pending;
  }

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (!local || opts.now() - fetchedAt >= maxAgeMs) {
      // A failed refresh of stale keys keeps the old ones: an IdP outage should not log
      // everyone out. Without any keys yet there is nothing to fall back on.
      await refetch().catch(() => undefined);
      if (!local) throw new Error('JWKS unavailable');
    }
    try {
      return await local(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
      // An unknown kid usually means the IdP rotated its keys: refetch, within the limit.
      await refetch();
      return local(header, token);
    }
  };
  return { getKey, fetchCount: () => fetches };
}
