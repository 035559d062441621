// Which Merkle nodes of the audit log a store keeps, and how it answers for the ones it does not.
// Storing every leaf and every small subtree cost about two node rows per record, most of the
// audit writer's CPU. Only perfect subtrees of 16+ leaves are stored; a smaller one lies inside
// one 16-aligned block of records, so it is re-derived from that block's lines (one range read of
// at most 16 rows, 16 leaf hashes and 15 node hashes), which a proof needs for at most two blocks.
// Both backends use this module, so they store and derive exactly the same nodes.
import { leafHash, nodeHash, type StoredNode } from '../audit/log/index.js';
import type { NodeKey, StoredAuditRecord } from './ports.js';

/** Perfect subtrees at this level and above (16+ leaves) are stored; smaller ones are derived. */
export const STORED_NODE_MIN_LEVEL = 4;

/** Leaves per block: the records a derived node is computed from all lie in one block. */
const BLOCK_SIZE = 2 ** STORED_NODE_MIN_LEVEL;

export function isStoredLevel(level: number): boolean {
  return level >= STORED_NODE_MIN_LEVEL;
}

/** The nodes an append completed (appendLeaves' `nodes`) that the store keeps. */
export function nodesToStore(nodes: readonly StoredNode[]): StoredNode[] {
  return nodes.filter((n) => isStoredLevel(n.level));
}

/** What readAuditNodes needs from a backend. */
export interface AuditNodeSource {
  /** Stored node hashes, in order; undefined where the table has none. */
  storedNodes(keys: readonly NodeKey[]): Promise<(Buffer | undefined)[]>;
  /** Records with seq > after, ascending, at most `limit` (the store's readAudit). */
  readAudit(after: number, limit: number): Promise<StoredAuditRecord[]>;
}

/**
 * Every subtree hash of one block that its records complete: pyramid[L][j] is node
 * (L, block * BLOCK_SIZE / 2^L + j). Only the leading run of seqs start, start+1, ... counts, so a gap in
 * the records leaves the nodes past it missing instead of hashing the wrong leaves.
 */
function blockPyramid(block: number, records: readonly StoredAuditRecord[]): Buffer[][] {
  const start = block * BLOCK_SIZE;
  const leaves: Buffer[] = [];
  for (const r of records) {
    if (r.seq !== start + leaves.length) break;
    leaves.push(leafHash(r.line));
  }
  const pyramid = [leaves];
  for (let level = 1; level < STORED_NODE_MIN_LEVEL; level++) {
    const below = pyramid[level - 1]!;
    const row: Buffer[] = [];
    for (let j = 0; 2 * j + 1 < below.length; j++) row.push(nodeHash(below[2 * j]!, below[2 * j + 1]!));
    pyramid.push(row);
  }
  return pyramid;
}

const missing = (k: NodeKey, why: string) => new Error(`audit node ${k.level}/${k.index} is missing (${why})`);

/**
 * The hash of every asked perfect subtree, in order, level 0 included: stored ones in one batched
 * read, derived ones from their blocks, each block read once. Throws "missing" when a node or the
 * records it covers are not in the log.
 */
export async function readAuditNodes(keys: readonly NodeKey[], source: AuditNodeSource): Promise<Buffer[]> {
  const stored = keys.filter((k) => isStoredLevel(k.level));
  const blockOf = (k: NodeKey) => Math.floor((k.index * 2 ** k.level) / BLOCK_SIZE);
  const blocks = [...new Set(keys.filter((k) => !isStoredLevel(k.level)).map(blockOf))];
  const [storedHashes, pyramids] = await Promise.all([
    stored.length ? source.storedNodes(stored) : [],
    Promise.all(blocks.map(async (b) => blockPyramid(b, await source.readAudit(b * BLOCK_SIZE - 1, BLOCK_SIZE)))),
  ]);
  const byBlock = new Map(blocks.map((b, i) => [b, pyramids[i]!]));
  let nextStored = 0;
  return keys.map((k) => {
    if (isStoredLevel(k.level)) {
      const hash = storedHashes[nextStored++];
      if (!hash) throw missing(k, 'no stored row');
      return hash;
    }
    const block = blockOf(k);
    const hash = byBlock.get(block)![k.level]![k.index - block * (BLOCK_SIZE / 2 ** k.level)];
    if (!hash) throw missing(k, 'its records are not all in the log');
    return hash;
  });
}
