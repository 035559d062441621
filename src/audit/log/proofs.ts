// Audit log, proofs: RFC 9162 inclusion and consistency proofs built from stored perfect-subtree
// hashes only. Each proof is planned as a list of leaf ranges (pure arithmetic), then all the nodes
// those ranges need are fetched in one batched read, so a proof costs one round trip and O(log n)
// rows however large the log is.

import { HASH_SIZE, emptyRoot, nodeHash } from './hash.js';
import { assertCount, perfectSubtrees, splitPoint, type NodeKey } from './subtrees.js';
import type { TreeHead } from './tree-head.js';

/** Where stored nodes come from (a SQLite or PostgreSQL table, or a Map in tests). */
export interface NodeReader {
  /** The hashes of the given perfect subtrees, in the same order; a missing node is an error. */
  getNodes(keys: NodeKey[]): Promise<Buffer[]>;
}

type Range = readonly [start: number, end: number];

/** RFC 9162 PATH(m, D[0:n]) as ranges, deepest sibling first. */
function inclusionRanges(index: number, size: number): Range[] {
  const outerFirst: Range[] = [];
  let [a, b] = [0, size];
  while (b - a > 1) {
    const k = splitPoint(b - a);
    if (index < a + k) {
      outerFirst.push([a + k, b]);
      b = a + k;
    } else {
      outerFirst.push([a, a + k]);
      a += k;
    }
  }
  return outerFirst.reverse();
}

/** RFC 9162 PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true) as ranges, deepest first. */
function consistencyRanges(m: number, n: number): Range[] {
  const outerFirst: Range[] = [];
  let [a, b] = [0, n];
  let whole = true; // SUBPROOF's b: is D[a:m] a tree the verifier already has the root of?
  while (m !== b) {
    const k = splitPoint(b - a);
    if (m <= a + k) {
      outerFirst.push([a + k, b]);
      b = a + k;
    } else {
      outerFirst.push([a, a + k]);
      a += k;
      whole = false;
    }
  }
  if (!whole) outerFirst.push([a, b]);
  return outerFirst.reverse();
}

/** One batched read; a short answer or a missing node fails loudly instead of giving a bad proof. */
async function readNodes(keys: NodeKey[], reader: NodeReader): Promise<Buffer[]> {
  if (keys.length === 0) return [];
  const hashes = await reader.getNodes(keys);
  if (hashes.length !== keys.length) {
    throw new Error(`node reader returned ${hashes.length} of ${keys.length} nodes`);
  }
  keys.forEach(({ level, index }, i) => {
    const hash = hashes[i];
    if (!Buffer.isBuffer(hash) || hash.length !== HASH_SIZE) {
      throw new Error(`stored node level ${level} index ${index} is missing or not a hash`);
    }
  });
  return hashes;
}

/** MTH of each range, reading every node they need in one batch. */
async function hashRanges(ranges: readonly Range[], reader: NodeReader): Promise<Buffer[]> {
  const plans = ranges.map(([start, end]) => perfectSubtrees(start, end));
  const hashes = await readNodes(plans.flat(), reader);
  let next = 0;
  return plans.map((plan) => {
    const parts = hashes.slice(next, (next += plan.length));
    let root = parts[parts.length - 1] as Buffer;
    for (let i = parts.length - 2; i >= 0; i--) root = nodeHash(parts[i] as Buffer, root);
    return root;
  });
}

function assertWithinLog(size: number, currentSize: number | undefined, what: string): void {
  if (currentSize !== undefined && size > currentSize) {
    throw new RangeError(`${what} ${size} is beyond the log's current size ${currentSize}`);
  }
}

/**
 * MTH(D[start:end]) for a range the tree is made of: perfect, or a run of perfect subtrees whose
 * first is aligned (see perfectSubtrees).
 */
export async function subtreeHash(start: number, end: number, reader: NodeReader): Promise<Buffer> {
  return (await hashRanges([[start, end]], reader))[0] as Buffer;
}

/** The head the tree had at `size` leaves: its edges are stored perfect subtrees. */
export async function headAt(size: number, reader: NodeReader, currentSize?: number): Promise<TreeHead> {
  assertCount(size, 0, 'tree size');
  assertWithinLog(size, currentSize, 'tree size');
  if (size === 0) return { size, edges: [] };
  const keys = perfectSubtrees(0, size);
  return { size, edges: await readNodes(keys, reader) };
}

/** The root the tree had at `size` leaves. */
export async function rootAt(size: number, reader: NodeReader, currentSize?: number): Promise<Buffer> {
  assertCount(size, 0, 'tree size');
  assertWithinLog(size, currentSize, 'tree size');
  if (size === 0) return emptyRoot();
  return subtreeHash(0, size, reader);
}

/** RFC 9162 inclusion proof of leaf `leafIndex` in the tree of `treeSize` leaves. */
export async function inclusionProof(
  leafIndex: number,
  treeSize: number,
  reader: NodeReader,
  currentSize?: number,
): Promise<Buffer[]> {
  assertCount(treeSize, 1, 'tree size');
  assertWithinLog(treeSize, currentSize, 'tree size');
  assertCount(leafIndex, 0, 'leaf index');
  if (leafIndex >= treeSize) {
    throw new RangeError(`leaf index ${leafIndex} is not in a tree of ${treeSize} leaves`);
  }
  return hashRanges(inclusionRanges(leafIndex, treeSize), reader);
}

/** RFC 9162 consistency proof that the tree of `m` leaves is a prefix of the tree of `n`. */
export async function consistencyProof(
  m: number,
  n: number,
  reader: NodeReader,
  currentSize?: number,
): Promise<Buffer[]> {
  assertCount(m, 1, 'old tree size');
  assertCount(n, 1, 'new tree size');
  if (m > n) throw new RangeError(`old tree size ${m} is larger than new tree size ${n}`);
  assertWithinLog(n, currentSize, 'new tree size');
  return hashRanges(consistencyRanges(m, n), reader);
}
