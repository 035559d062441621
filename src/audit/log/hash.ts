// Audit log, hashing: the RFC 6962 / RFC 9162 tree hash. The 0x00 and 0x01 prefixes keep a leaf
// from ever being passed off as an interior node (second-preimage resistance), so a proof cannot
// present a 64-byte record as two child hashes.

import * as crypto from 'node:crypto';

/** Every hash in the log is a SHA-256 digest. */
export const HASH_SIZE = 32;

// Hashing dominates appends and verification, so the prefix and input are laid out in one scratch
// buffer and digested in one call: crypto.hash (Node >= 20.12) skips the Hash object and is about
// 1.6x faster than createHash().update().digest(). Safe to share: every use is synchronous.
const sha256: (data: Buffer) => Buffer =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();
const SCRATCH_LIMIT = 64 * 1024;
let scratch = Buffer.allocUnsafe(4096);
const pair = Buffer.allocUnsafe(1 + 2 * HASH_SIZE);

/** SHA-256(0x00 || data); a string is hashed as its UTF-8 bytes. */
export function leafHash(data: Buffer | string): Buffer {
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so the bound below can never truncate.
  const bound = 1 + (typeof data === 'string' ? data.length * 3 : data.length);
  if (bound > SCRATCH_LIMIT) {
    const h = crypto.createHash('sha256').update(Buffer.from([0x00]));
    return (typeof data === 'string' ? h.update(data, 'utf8') : h.update(data)).digest();
  }
  if (bound > scratch.length) scratch = Buffer.allocUnsafe(SCRATCH_LIMIT);
  scratch[0] = 0x00;
  const n = typeof data === 'string' ? scratch.write(data, 1, 'utf8') : data.copy(scratch, 1);
  return sha256(scratch.subarray(0, 1 + n));
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    return crypto.createHash('sha256').update(Buffer.from([0x01])).update(left).update(right).digest();
  }
  pair[0] = 0x01;
  left.copy(pair, 1);
  right.copy(pair, 1 + HASH_SIZE);
  return sha256(pair);
}

/** The root of the empty tree: SHA-256 of nothing. */
export function emptyRoot(): Buffer {
  return crypto.createHash('sha256').digest();
}

/** Throws unless `hash` is a 32-byte Buffer; `what` names it in the message. */
export function assertHash(hash: unknown, what: string): asserts hash is Buffer {
  if (!Buffer.isBuffer(hash) || hash.length !== HASH_SIZE) {
    throw new TypeError(`${what} must be a ${HASH_SIZE}-byte hash`);
  }
}
