// Rate limits of the data plane, per process: token buckets keyed by principal (for callers with
// an accepted credential) and by client address (for everyone else). A bucket holds `burst`
// requests and refills at `per_second`; a key seen too rarely to matter is forgotten (bounded
// memory, whatever the number of addresses). Several replicas each enforce their own buckets,
// so a cluster admits up to replicas × the rate: a bound on abuse, not an exact quota.
import { z } from 'zod';
import { LruCache } from '../lib/lru-cache.js';
import type { Refusal } from './stage-contract.js';

const bucketSchema = z.strictObject({
  /** 0 switches the limit off. */
  per_second: z.number().min(0),
  burst: z.number().int().positive(),
});

export const rateLimitsSchema = z.strictObject({
  /** Requests by one principal. Off by default: quotas for callers are a policy matter. */
  principal: bucketSchema.default({ per_second: 0, burst: 1 }),
  /** Requests from one address that carry no accepted credential. */
  anonymous: bucketSchema.default({ per_second: 5, burst: 50 }),
  /** Refusals of anonymous requests recorded one by one per address and minute; the rest are counted into one record. */
  anonymous_records_per_minute: z.number().int().min(0).default(20),
});

export type RateLimitsConfig = z.infer<typeof rateLimitsSchema>;
type BucketConfig = z.infer<typeof bucketSchema>;

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new LruCache<string, Bucket>(100_000);

  constructor(
    private readonly config: BucketConfig,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.config.per_second > 0;
  }

  /** Takes one token for `key`; false when its bucket is empty. */
  take(key: string): boolean {
    if (!this.enabled) return true;
    const now = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.config.burst, at: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.config.burst, b.tokens + ((now - b.at) / 1000) * this.config.per_second);
      b.at = now;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Whole seconds until `key` has a token again (for Retry-After). */
  retryAfter(key: string): number {
    const b = this.buckets.get(key);
    if (!b || !this.enabled) return 1;
    return Math.max(1, Math.ceil((1 - b.tokens) / this.config.per_second));
  }
}

/** The refusal past a bucket: 429 with the seconds until it has a token again. */
export function rateLimited(retryAfter: number): Refusal {
  return { code: 'rate_limited', detail: 'too many requests; retry later', headers: { 'retry-after': String(retryAfter) } };
}
