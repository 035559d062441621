// Identify stage, OIDC: remembers verified tokens so a repeated token skips the signature check
// (~90 us with jose's WebCrypto EdDSA; a hit is a Map lookup).
//
// Keyed by the whole token string, signature included, so a changed byte is a miss. Entries
// hold claims, not a finished Principal, so time-dependent parts are recomputed at each use.

import type { VerifiedIdentity } from './claims.js';

export class TokenCache {
  private readonly entries = new Map<string, VerifiedIdentity>();
  private readonly maxEntries: number;

  constructor(maxEntries: number) {
    this.maxEntries = Math.max(1, maxEntries);
  }

  /** The cached identity; the caller still checks `exp` against its clock. */
  get(token: string): VerifiedIdentity | undefined {
    return this.entries.get(token);
  }

  delete(token: string): void {
    this.entries.delete(token);
  }

  set(token: string, identity: VerifiedIdentity): void {
    // Map keeps insertion order: the first key is the oldest entry.
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(token, identity);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
