// Audit log, tree head: the whole state a writer needs to extend the Merkle tree. It promises that
// appending leaves touches only the head (at most log2 n edge hashes) and reports every perfect
// subtree that closes, so a store can keep each interior hash once and answer any proof later by
// reading O(log n) rows, without ever re-hashing old records.

import { assertHash, emptyRoot, nodeHash } from './hash.js';
import { assertCount, edgeCount, type NodeKey } from './subtrees.js';

export interface TreeHead {
  readonly size: number;
  /** Roots of the perfect subtrees that make up the tree, largest (leftmost) first. */
  readonly edges: readonly Buffer[];
}

/** A perfect subtree's hash; level 0 is a leaf hash. */
export interface StoredNode extends NodeKey {
  readonly hash: Buffer;
}

export const EMPTY_HEAD: TreeHead = Object.freeze({ size: 0, edges: Object.freeze([]) });

/**
 * Appends one leaf to mutable `edges` (a tree of `size` leaves). Leaf `size` closes one subtree per
 * trailing one-bit of `size`: each merge pops the left sibling off the edges.
 */
function pushLeaf(edges: Buffer[], size: number, leaf: Buffer, nodes: StoredNode[] | null): void {
  assertHash(leaf, `leaf hash ${size}`);
  nodes?.push({ level: 0, index: size, hash: leaf });
  let hash = leaf;
  let level = 0;
  for (let n = size; n % 2 === 1; n = (n - 1) / 2) {
    hash = nodeHash(edges.pop() as Buffer, hash);
    level += 1;
    nodes?.push({ level, index: (n - 1) / 2, hash });
  }
  edges.push(hash);
}

/** The new head plus every perfect subtree the appends completed (leaves included), in order. */
export function appendLeaves(
  head: TreeHead,
  leafHashes: readonly Buffer[],
): { head: TreeHead; nodes: StoredNode[] } {
  const edges = [...head.edges];
  const nodes: StoredNode[] = [];
  let size = head.size;
  for (const leaf of leafHashes) pushLeaf(edges, size++, leaf, nodes);
  return { head: { size, edges }, nodes };
}

/** Like appendLeaves without collecting nodes: for verifiers that only need roots. */
export function extendHead(head: TreeHead, leafHashes: readonly Buffer[]): TreeHead {
  const edges = [...head.edges];
  let size = head.size;
  for (const leaf of leafHashes) pushLeaf(edges, size++, leaf, null);
  return { size, edges };
}

/** RFC 9162 MTH of the whole tree: the edges folded right to left. */
export function rootHash(head: TreeHead): Buffer {
  const { edges } = head;
  if (edges.length === 0) return emptyRoot();
  let root = edges[edges.length - 1] as Buffer;
  for (let i = edges.length - 2; i >= 0; i--) root = nodeHash(edges[i] as Buffer, root);
  return root;
}

/** Throws unless the head is well formed: one 32-byte edge per one-bit of size. */
export function assertTreeHead(head: TreeHead): void {
  assertCount(head.size, 0, 'tree size');
  if (head.edges.length !== edgeCount(head.size)) {
    throw new RangeError(
      `a tree of ${head.size} leaves has ${edgeCount(head.size)} edges, got ${head.edges.length}`,
    );
  }
  head.edges.forEach((edge, i) => assertHash(edge, `tree head edge ${i}`));
}

/** One-row form: `{"size":n,"edges":["<base64>",...]}`. */
export function serializeHead(head: TreeHead): string {
  return JSON.stringify({ size: head.size, edges: head.edges.map((e) => e.toString('base64')) });
}

/** Parses serializeHead's output; throws on anything else, so a damaged row is never extended. */
export function deserializeHead(text: string): TreeHead {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SyntaxError('tree head is not valid JSON');
  }
  const { size, edges } = (parsed ?? {}) as { size?: unknown; edges?: unknown };
  if (typeof size !== 'number' || !Array.isArray(edges) || !edges.every((e) => typeof e === 'string')) {
    throw new SyntaxError('tree head must be {"size": number, "edges": base64 string[]}');
  }
  const head: TreeHead = { size, edges: edges.map((e: string) => Buffer.from(e, 'base64')) };
  assertTreeHead(head);
  return head;
}
