// Requests that carry no accepted credential, on either listener: each client block (an IPv4
// address, an IPv6 /64) has a token bucket, past which the answer becomes 429 `rate_limited`, and a
// share of refusals recorded one by one per minute, past which they are only counted (see
// anonymous-refusals.ts). One instance serves the data plane and the control plane, so neither is
// a way to flood the audit log without a credential.
import { addressBlock } from '../lib/client-ip.js';
import type { AuditEntry } from '../store/ports.js';
import { AnonymousRefusals } from './anonymous-refusals.js';
import { rateLimited, TokenBuckets, type RateLimitsConfig } from './rate-limits.js';
import type { Refusal } from './stage-contract.js';

export interface AnonymousVerdict {
  /** The refusal to give: the one asked for, or 429 past the block's rate. */
  readonly refusal: Refusal;
  /** Whether it gets its own record; otherwise it was counted into the block's minute. */
  readonly record: boolean;
}

export class AnonymousTraffic {
  private readonly rate: TokenBuckets;
  private readonly refusals: AnonymousRefusals;

  constructor(config: RateLimitsConfig, emit: (entry: AuditEntry) => void, now: () => number = Date.now) {
    this.rate = new TokenBuckets(config.anonymous, now);
    this.refusals = new AnonymousRefusals(config.anonymous_records_per_minute, emit, now);
  }

  refuse(clientIp: string, refusal: Refusal): AnonymousVerdict {
    const block = addressBlock(clientIp);
    let r = refusal;
    if (!this.rate.take(block)) r = { ...r, ...rateLimited(this.rate.retryAfter(block)) };
    return { refusal: r, record: this.refusals.admit(block, r.code) };
  }

  /** Writes what is still counted; called once at shutdown. */
  close(): void {
    this.refusals.close();
  }
}
