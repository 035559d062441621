// Audit log, in-memory node store: the NodeReader the tests, benchmarks and any single-process
// tool use. It counts reads so tests can hold proofs to one batched read of O(log n) nodes.

import type { NodeReader } from './proofs.js';
import type { NodeKey } from './subtrees.js';
import type { StoredNode } from './tree-head.js';

export class MemoryNodeStore implements NodeReader {
  /** levels[L][i] is the hash of node (L, i). */
  private readonly levels: Buffer[][] = [];
  /** How many getNodes calls, and how many nodes they asked for, since creation. */
  reads = 0;
  nodesRead = 0;

  put(nodes: Iterable<StoredNode>): void {
    for (const { level, index, hash } of nodes) (this.levels[level] ??= [])[index] = hash;
  }

  async getNodes(keys: NodeKey[]): Promise<Buffer[]> {
    this.reads += 1;
    this.nodesRead += keys.length;
    return keys.map(({ level, index }) => {
      const hash = this.levels[level]?.[index];
      if (!hash) throw new RangeError(`no stored node at level ${level} index ${index}`);
      return hash;
    });
  }
}
