// Audit log, hashing: the RFC 6962 / RFC 9162 tree hash. The 0x00 and 0x01 prefixes keep a leaf
// from ever being passed off as an interior node (second-preimage resistance), so a proof cannot
// present a 64-byte record as two child hashes.

import { createHash } from 'node:crypto';

/** Every hash in the log is a SHA-256 digest. */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** SHA-256(0x00 || data); a string is hashed as its UTF-8 bytes. */
export function leafHash(data: Buffer | string): Buffer {
  const h = createHash('sha256').update(LEAF_PREFIX);
  if (typeof data === 'string') h.update(data, 'utf8');
  else h.update(data);
  return h.digest();
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The root of the empty tree: SHA-256 of nothing. */
export function emptyRoot(): Buffer {
  return createHash('sha256').digest();
}

/** Throws unless `hash` is a 32-byte Buffer; `what` names it in the message. */
export function assertHash(hash: unknown, what: string): asserts hash is Buffer {
  if (!Buffer.isBuffer(hash) || hash.length !== HASH_SIZE) {
    throw new TypeError(`${what} must be a ${HASH_SIZE}-byte hash`);
  }
}
