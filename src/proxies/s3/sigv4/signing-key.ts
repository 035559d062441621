// SigV4's signing key and HMACs. The key for one access key, day and region is four HMACs away
// from the secret; it is kept in a small cache so a busy client costs one HMAC chain a day, not
// one per request. Entries are keyed by the secret's identity as well, so a re-issued key never
// meets a stale entry.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { LruCache } from '../../../lib/lru-cache.js';

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function sha256HexOf(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

export function deriveSigningKey(secret: string, scopeDate: string, region: string, service = 's3'): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, scopeDate), region), service), 'aws4_request');
}

/** Hex signatures compared in constant time (both are 64 hex digits by the time they meet). */
export function signaturesEqual(expected: string, presented: string): boolean {
  const a = Buffer.from(expected, 'latin1');
  const b = Buffer.from(presented, 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}

export class SigningKeys {
  private readonly cache = new LruCache<string, Buffer>(1024);

  /** `secretId` names the secret without being it (its sealed form), so the cache never holds a secret in a key. */
  get(secretId: string, secret: () => string, scopeDate: string, region: string): Buffer {
    const k = `${secretId}\n${scopeDate}\n${region}`;
    let key = this.cache.get(k);
    if (!key) {
      key = deriveSigningKey(secret(), scopeDate, region);
      this.cache.set(k, key);
    }
    return key;
  }
}
