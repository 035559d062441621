// Audit log, tree shape: where the perfect subtrees of an RFC 9162 tree lie. Pure arithmetic on
// sizes, shared by the tree head (which produces these nodes) and the proofs (which read them).
// Plain arithmetic instead of 32-bit bit operators, so sizes stay exact up to 2^53.

/** A perfect subtree: at `level` L, number `index`, covering leaves [index*2^L, (index+1)*2^L). */
export interface NodeKey {
  readonly level: number;
  readonly index: number;
}

/** Throws a RangeError unless `n` is a safe integer >= `min`. */
export function assertCount(n: number, min: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < min) {
    throw new RangeError(`${what} must be an integer >= ${min}, got ${String(n)}`);
  }
}

/** The largest power of two <= n (n >= 1). */
export function floorPowerOfTwo(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** RFC 9162's k: the largest power of two strictly less than n (n >= 2). */
export function splitPoint(n: number): number {
  return floorPowerOfTwo(n - 1);
}

/**
 * The perfect subtrees that make up leaves [start, end), largest first. Their hashes folded right
 * to left give MTH(D[start:end]) only when the first one is aligned (start is a multiple of the
 * largest power of two <= end - start); every range the RFC 9162 recursion visits is, and other
 * ranges are refused rather than silently hashed with the wrong shape.
 */
export function perfectSubtrees(start: number, end: number): NodeKey[] {
  assertCount(start, 0, 'range start');
  assertCount(end - start, 1, 'range length');
  let size = end - start;
  let width = floorPowerOfTwo(size);
  if (start % width !== 0) {
    throw new RangeError(`leaves [${start}, ${end}) do not form a subtree of the log's tree`);
  }
  const keys: NodeKey[] = [];
  let pos = start;
  let level = Math.round(Math.log2(width));
  while (size > 0) {
    if (size >= width) {
      keys.push({ level, index: pos / width });
      pos += width;
      size -= width;
    }
    width /= 2;
    level -= 1;
  }
  return keys;
}

/** The number of perfect subtrees (edges) in a tree of `size` leaves: the ones in its binary form. */
export function edgeCount(size: number): number {
  let count = 0;
  for (let n = size; n > 0; n = Math.floor(n / 2)) count += n % 2;
  return count;
}
