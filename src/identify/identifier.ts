// Identify stage: the one entry point that turns an `Authorization` header into a Principal.
//
// `alk_...` is an Airlock API key (Agent), anything else a JWT from a configured OIDC issuer
// (User, or Agent for a client's own token). Every refusal is AirlockError('unauthenticated')
// with a short fixed reason, or 'store_unavailable' for API keys while the key store cannot be
// read; the credential itself never appears in an error, a detail or a log line.

import { AirlockError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Principal } from '../model/principal.js';
import type { ChangeFeed, KeyStore } from '../store/ports.js';
import { API_KEY_PREFIX, isWellFormedApiKey } from './api-keys/key-format.js';
import { LiveKeys } from './api-keys/live-keys.js';
import { principalForApiKey } from './api-keys/verify-key.js';
import { bearerToken } from './bearer.js';
import type { OidcIssuerConfig } from './oidc/issuer-config.js';
import { createOidcVerifier } from './oidc/verify-token.js';

export interface IdentifierOptions {
  readonly oidc: readonly OidcIssuerConfig[];
  /** Without a store, API keys are refused. */
  readonly keys?: KeyStore;
  /** Clock in unix ms; tests freeze it. */
  readonly now?: () => number;
  /** Directory that relative `jwks_file` paths are resolved against (the config file's). */
  readonly baseDir?: string;
  /** How often the key store's version is polled (ms); default 500. */
  readonly keysPollMs?: number;
  /** Key changes announced by other processes: refresh at once instead of at the next poll. */
  readonly changes?: ChangeFeed;
  /** Where OIDC issuers whose keys cannot be fetched are reported. */
  readonly log?: Logger;
}

export interface Identifier {
  /** Resolves to the caller's Principal or rejects with AirlockError('unauthenticated' or 'store_unavailable'). */
  identify(authorization: string | undefined): Promise<Principal>;
  /** Re-reads the key store now, e.g. right after this process revoked a key. */
  refreshKeys(): Promise<void>;
  /** False when the last read of the key store failed (the last good keys stay in use). */
  keysHealthy(): boolean;
  close(): Promise<void>;
}

export async function createIdentifier(opts: IdentifierOptions): Promise<Identifier> {
  const now = opts.now ?? Date.now;
  const oidc = await createOidcVerifier(opts.oidc, {
    now,
    ...(opts.baseDir !== undefined ? { baseDir: opts.baseDir } : {}),
    ...(opts.log !== undefined ? { log: opts.log } : {}),
  });
  const keys = opts.keys
    ? new LiveKeys(opts.keys, { now, ...(opts.keysPollMs !== undefined ? { pollMs: opts.keysPollMs } : {}) })
    : undefined;
  await keys?.start();
  const unsubscribe = keys && opts.changes?.subscribe((topic) => topic === 'keys' && void keys.refresh().catch(() => undefined));

  return {
    async identify(authorization) {
      // The usual header, exactly `Bearer <token>` for a token verified before, skips the header
      // grammar (a regex over the whole token): the cache holds only tokens that passed it.
      if (authorization?.startsWith('Bearer ')) {
        const known = oidc.cached(authorization.slice(7));
        if (known) return known;
      }
      const token = bearerToken(authorization);
      if (token.startsWith(API_KEY_PREFIX)) {
        if (!keys) throw new AirlockError('unauthenticated', 'API keys are not enabled');
        if (isWellFormedApiKey(token) && !keys.lookup(token)) await keys.refreshOnMiss();
        return principalForApiKey(keys, token);
      }
      return oidc.verify(token);
    },
    async refreshKeys() {
      await keys?.refresh();
    },
    keysHealthy: () => keys?.healthy ?? true,
    async close() {
      unsubscribe?.();
      keys?.close();
      oidc.close();
    },
  };
}
