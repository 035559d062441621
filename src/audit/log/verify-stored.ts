// Audit log, verification against a store's own tree: the perfect-subtree hashes and the head a
// store keeps beside its lines. Proofs are served from them, so they must match the lines; and
// they catch an edited record that no signed checkpoint covers yet. A store keeps only some nodes
// (see store/audit-nodes.ts), so a mismatch names the records the smallest kept node covers,
// not always one record.

import { perfectSubtrees, type NodeKey } from './subtrees.js';
import type { StoredNode, TreeHead } from './tree-head.js';

export interface StoredTree {
  /** The store's head, read before its records: the replay must reach it and match its edges. */
  readonly head: TreeHead;
  /**
   * The stored hash of each key, in order: undefined where the store keeps no such node (by
   * design, or not yet when verification started), 'missing' where it should and does not.
   */
  nodes(keys: readonly NodeKey[]): Promise<(Buffer | 'missing' | undefined)[]>;
}

export interface StoredTreeProblem {
  readonly error: string;
  readonly firstBadSeq: number;
}

const leavesOf = ({ level, index }: NodeKey): [first: number, last: number] => [index * 2 ** level, (index + 1) * 2 ** level - 1];

/** The first of `computed` (nodes a replay completed, in order) that the store holds otherwise. */
export async function storedNodeProblem(
  computed: readonly StoredNode[],
  stored: StoredTree,
): Promise<StoredTreeProblem | undefined> {
  if (computed.length === 0) return undefined;
  const hashes = await stored.nodes(computed);
  for (let i = 0; i < computed.length; i++) {
    const hash = hashes[i];
    if (hash === undefined) continue;
    const node = computed[i]!;
    const [first, last] = leavesOf(node);
    const name = `stored node ${node.level}/${node.index}`;
    if (hash === 'missing') return { error: `records ${first}..${last}: the ${name} is missing`, firstBadSeq: first };
    if (!hash.equals(node.hash)) {
      return { error: `records ${first}..${last}: do not match the ${name} (a record or the node was edited)`, firstBadSeq: first };
    }
  }
  return undefined;
}

/** Whether the replayed `head` (at the stored head's size) has the stored head's edges. */
export function storedHeadProblem(head: TreeHead, stored: TreeHead): StoredTreeProblem | undefined {
  if (head.size !== stored.size) throw new RangeError(`compared a head of ${head.size} records with one of ${stored.size}`);
  const keys = stored.size ? perfectSubtrees(0, stored.size) : [];
  for (let i = 0; i < keys.length; i++) {
    if (stored.edges[i]?.equals(head.edges[i]!)) continue;
    const [first, last] = leavesOf(keys[i]!);
    return { error: `records ${first}..${last}: do not match the stored head (a record or the head was edited)`, firstBadSeq: first };
  }
  return undefined;
}
