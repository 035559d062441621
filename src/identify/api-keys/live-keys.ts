// Identify stage, API keys: an in-memory map of live key hashes, kept in step with the KeyStore.
//
// S3 credentials (records with `s3`) live in a map of their own, by access key id: they are never
// accepted as bearer keys, and a bearer key is never an S3 credential.
//
// The map is reloaded whenever the store's keysVersion() changes, polled every 500 ms, so a key
// revoked by any process (the CLI, another replica) is refused here within a second, with no
// database read on the request path. Lookup is by SHA-256 hash: a timing difference in the Map
// lookup reveals at most a hash prefix, which says nothing about any key.
//
// A process that cannot read the store cannot know what was revoked meanwhile: once its map is
// older than `maxStaleMs` (default 5 s: ten missed polls), every API key is answered 503
// store_unavailable until a read succeeds. 503 and not 401: the key may well be good, and a
// client told 401 would think its key revoked (and might discard or rotate it), where a 503 is
// retried. Every key gets the same answer, so it says nothing about any key.

import type { ApiKeyRecord, KeyStore } from '../../store/ports.js';
import { hashApiKey } from './key-format.js';

export interface LiveKeysOptions {
  readonly now?: () => number;
  /** How often the store's version is checked (ms). */
  readonly pollMs?: number;
  /** Past this age (ms) of the last successful read, API keys are refused (store_unavailable). */
  readonly maxStaleMs?: number;
}

export const DEFAULT_MAX_STALE_MS = 5_000;

export class LiveKeys {
  private byHash: ReadonlyMap<string, ApiKeyRecord> = new Map();
  private byAccessKeyId: ReadonlyMap<string, ApiKeyRecord> = new Map();
  private version: number | undefined;
  private pending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly store: KeyStore;
  private readonly now: () => number;
  private readonly pollMs: number;
  private readonly maxStaleMs: number;
  /** When (now()) the store was last read successfully. */
  private readAt = -Infinity;
  /** Whether the last refresh reached the store; for readiness checks. */
  healthy = false;

  constructor(store: KeyStore, opts: LiveKeysOptions = {}) {
    this.store = store;
    this.now = opts.now ?? Date.now;
    this.pollMs = opts.pollMs ?? 500;
    // Never less than a few polls: one slow poll must not refuse every agent.
    this.maxStaleMs = opts.maxStaleMs ?? Math.max(DEFAULT_MAX_STALE_MS, 3 * this.pollMs);
  }

  /**
   * Loads the keys once, then keeps polling until close(). A store that cannot be read at start
   * does not stop the gateway: every key is refused (store_unavailable) until a poll succeeds.
   */
  async start(): Promise<void> {
    this.timer ??= setInterval(() => void this.refresh().catch(() => undefined), this.pollMs);
    this.timer.unref();
    await this.refresh().catch(() => undefined);
  }

  /**
   * Reloads the map if the store's version moved. On a store error the last good map stays in
   * use for up to maxStaleMs (a database blip must not lock every agent out) and the error is
   * thrown to the caller; keys unknown to that map are still refused, so failure never admits
   * anyone new.
   */
  refresh(): Promise<void> {
    this.pending ??= this.reload().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /**
   * A key created a moment ago (by the CLI, another replica) should work at once, not after the
   * next poll. On a miss the store's version is read again by a reload that starts after the miss
   * (one already running may have read the version before the key was added); concurrent misses
   * share it, so a flood of made-up keys costs one cheap version read at a time.
   */
  async refreshOnMiss(): Promise<void> {
    await this.pending?.catch(() => undefined);
    await this.refresh().catch(() => undefined);
  }

  private async reload(): Promise<void> {
    const started = this.now();
    try {
      // Version first: a change landing during the list is caught by the next poll.
      const version = await this.store.keysVersion();
      if (version !== this.version) {
        const live = await this.store.listLiveKeys(this.now());
        this.byHash = new Map(live.filter((r) => !r.s3).map((r) => [r.hash, r]));
        this.byAccessKeyId = new Map(live.filter((r) => r.s3).map((r) => [r.s3!.accessKeyId, r]));
        this.version = version;
      }
      this.healthy = true;
      // The map is as fresh as the moment this read began, not as when it ended.
      this.readAt = Math.max(this.readAt, started);
    } catch (err) {
      this.healthy = false;
      throw err;
    }
  }

  /** True when the map is too old to answer for revocations: API keys are then refused. */
  stale(): boolean {
    return this.now() - this.readAt > this.maxStaleMs;
  }

  /** The record of a live key, or undefined; expiry is checked against now, not the last poll. */
  lookup(key: string): ApiKeyRecord | undefined {
    return this.alive(this.byHash.get(hashApiKey(key)));
  }

  /** The record of a live S3 credential by its access key id, or undefined. */
  lookupS3(accessKeyId: string): ApiKeyRecord | undefined {
    return this.alive(this.byAccessKeyId.get(accessKeyId));
  }

  private alive(record: ApiKeyRecord | undefined): ApiKeyRecord | undefined {
    if (record === undefined || record.revokedAt !== null) return undefined;
    if (record.expiresAt !== null && record.expiresAt <= this.now()) return undefined;
    return record;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
