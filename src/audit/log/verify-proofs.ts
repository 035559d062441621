// Audit log, proof verification: RFC 9162 sections 2.1.3.2 and 2.1.4.2, step for step, for the
// offline verifier and for clients. They answer true or false and never throw on hostile input:
// a malformed proof is just a proof that does not verify.

import { HASH_SIZE, nodeHash } from './hash.js';
import { floorPowerOfTwo } from './subtrees.js';

const isHash = (h: unknown): h is Buffer => Buffer.isBuffer(h) && h.length === HASH_SIZE;
const isSize = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
const odd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/** True when `proof` shows leaf `leafHash` at `index` in the tree of `size` leaves with `root`. */
export function verifyInclusion(
  leafHash: Buffer,
  index: number,
  size: number,
  proof: readonly Buffer[],
  root: Buffer,
): boolean {
  if (!isHash(leafHash) || !isHash(root) || !isSize(index) || !isSize(size)) return false;
  if (index >= size || !proof.every(isHash)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      r = nodeHash(r, p);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 && r.equals(root);
}

/**
 * True when `proof` shows the tree of `m` leaves with `oldRoot` is a prefix of the tree of `n`
 * leaves with `newRoot`. RFC 9162 defines proofs for 0 < m < n; the edges are settled here:
 * m = n needs an empty proof and equal roots, and the empty tree (m = 0) is a prefix of any tree.
 */
export function verifyConsistency(
  m: number,
  n: number,
  proof: readonly Buffer[],
  oldRoot: Buffer,
  newRoot: Buffer,
): boolean {
  if (!isSize(m) || !isSize(n) || m > n || !isHash(oldRoot) || !isHash(newRoot)) return false;
  if (!proof.every(isHash)) return false;
  if (m === 0) return proof.length === 0;
  if (m === n) return proof.length === 0 && oldRoot.equals(newRoot);
  if (proof.length === 0) return false;
  // A power-of-two old tree is one node the verifier already holds, so the proof omits it.
  const path = floorPowerOfTwo(m) === m ? [oldRoot, ...proof] : [...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (odd(fn)) [fn, sn] = [half(fn), half(sn)];
  let fr = path[0] as Buffer;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      sr = nodeHash(sr, c);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 && fr.equals(oldRoot) && sr.equals(newRoot);
}
