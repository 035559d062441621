// Identify stage, OIDC: an issuer's remote key set (jwks_uri or discovered), kept fresh.
//
// - Read at start, then every `refreshMs` (default 60 s), so a key the issuer stops publishing
//   stops working within that time plus one fetch: cached tokens hold the key's life
//   (published-keys.ts). A failed read keeps the last good keys (an IdP outage must not sign
//   everyone out) and is retried with backoff from `retryMs` up to `refreshMs`.
// - A token naming a `kid` not in the set waits for a read that starts after it was found
//   missing (a key published a moment ago is then seen), so the first token signed with a new key
//   is accepted. Such reads start at most once per `cooldownMs` per issuer: tokens with made-up
//   `kid`s share the next read and cannot make the gateway hammer the IdP; they wait, at most the
//   cooldown plus one fetch, and are refused.
// - With no keys at all (the IdP unreachable since start), tokens are refused at once, and trigger
//   a read only when the cooldown has passed.

import { setTimeout as sleep } from 'node:timers/promises';
import { errors, type JWTVerifyGetKey } from 'jose';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { KeySource } from './key-source.js';
import { PublishedKeys, type KeyLife } from './published-keys.js';

export interface RemoteJwksOptions {
  readonly now: () => number;
  /** The issuer, for log lines. */
  readonly issuer: string;
  readonly log?: Logger;
  /** Least time (ms) between reads started by tokens with unknown `kid`s. */
  readonly cooldownMs?: number;
  /** How often (ms) the key set is read again. */
  readonly refreshMs?: number;
  /** First retry (ms) after a failed read; doubles up to refreshMs. */
  readonly retryMs?: number;
}

export interface RemoteJwks {
  readonly getKey: JWTVerifyGetKey;
  /** The life of the published key a token names; undefined when it is not published (now). */
  lifeOf(kid: unknown): KeyLife | undefined;
  /** Reads the key set now, or joins the read in flight. */
  refresh(): Promise<void>;
  /** How many reads were started; for tests. */
  fetchCount(): number;
  close(): void;
}

export const DEFAULT_COOLDOWN_MS = 2_000;

export function createRemoteJwks(source: KeySource, opts: RemoteJwksOptions): RemoteJwks {
  const cooldownMs = opts.cooldownMs ?? DEFAULT_COOLDOWN_MS;
  const refreshMs = opts.refreshMs ?? 60_000;
  const retryMs = Math.min(refreshMs, opts.retryMs ?? 1_000);
  let keys: PublishedKeys | undefined;
  let running: { readonly seq: number; readonly done: Promise<void> } | undefined;
  let queued: Promise<void> | undefined;
  let started = 0;
  let lastStart = -Infinity;
  let failures = 0;
  let lastWarned = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  function read(): Promise<void> {
    if (running) return running.done;
    const seq = ++started;
    lastStart = opts.now();
    const done = (async () => {
      try {
        keys = new PublishedKeys(await source.read(), keys);
        if (failures > 0) opts.log?.info({ issuer: opts.issuer }, 'OIDC signing keys fetched again');
        failures = 0;
      } catch (err) {
        failures++;
        warn(err);
        throw err;
      } finally {
        running = undefined;
        schedule();
      }
    })();
    running = { seq, done };
    return done;
  }

  function warn(err: unknown): void {
    // One line per outage and then one per refresh period, not one per failed read.
    if (failures > 1 && opts.now() - lastWarned < refreshMs) return;
    lastWarned = opts.now();
    const fields = { issuer: opts.issuer, source: source.describe(), err: errorMessage(err), retry_in_ms: nextDelay() };
    if (keys) opts.log?.warn(fields, 'OIDC signing keys could not be refreshed; the last good keys stay in use');
    else opts.log?.error(fields, 'OIDC signing keys could not be fetched; tokens from this issuer are refused until they are');
  }

  const nextDelay = () => (failures === 0 ? refreshMs : Math.min(refreshMs, retryMs * 2 ** (failures - 1)));

  function schedule(): void {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void read().catch(() => undefined), nextDelay());
    timer.unref();
  }

  /** Resolves once a read started after the `seq`-th one has ended (well or not). */
  function readAfter(seq: number): Promise<void> {
    if (running && running.seq > seq) return running.done;
    queued ??= (async () => {
      await running?.done.catch(() => undefined);
      const wait = lastStart + cooldownMs - opts.now();
      if (wait > 0) await sleep(wait);
      queued = undefined;
      return read();
    })();
    return queued;
  }

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (!keys) {
      if (running) await running.done.catch(() => undefined);
      else if (opts.now() - lastStart >= cooldownMs) await read().catch(() => undefined);
      if (!keys) throw new Error('JWKS unavailable');
    }
    try {
      return await keys.getKey(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
      await readAfter(started).catch(() => undefined);
      return keys.getKey(header, token);
    }
  };

  void read().catch(() => undefined);
  return {
    getKey,
    lifeOf: (kid) => keys?.lifeOf(kid),
    refresh: read,
    fetchCount: () => started,
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
