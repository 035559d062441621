// Proofs read few stored nodes in one batch, and refuse sizes and indices outside the log.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leafHash } from './hash.js';
import { MemoryNodeStore } from './memory-node-store.js';
import { consistencyProof, inclusionProof, rootAt, subtreeHash } from './proofs.js';
import { appendLeaves, EMPTY_HEAD } from './tree-head.js';

const SIZE = 5000;
const store = new MemoryNodeStore();
store.put(appendLeaves(EMPTY_HEAD, Array.from({ length: SIZE }, (_, i) => leafHash(`r${i}`))).nodes);

describe('proof reads', () => {
  it('reads one batch of at most 2 log2 n nodes per proof', async () => {
    const bound = 2 * Math.ceil(Math.log2(SIZE));
    for (const [i, n] of [[0, SIZE], [SIZE - 1, SIZE], [1234, 4097], [4096, 4097], [17, 18]] as const) {
      const before = { reads: store.reads, nodes: store.nodesRead };
      await inclusionProof(i, n, store);
      assert.equal(store.reads - before.reads, 1);
      assert.ok(store.nodesRead - before.nodes <= bound, `inclusion ${i}/${n} read ${store.nodesRead - before.nodes}`);
    }
    for (const [m, n] of [[1, SIZE], [SIZE - 1, SIZE], [3, 4097], [4095, 4999]] as const) {
      const before = { reads: store.reads, nodes: store.nodesRead };
      await consistencyProof(m, n, store);
      assert.equal(store.reads - before.reads, 1);
      assert.ok(store.nodesRead - before.nodes <= bound, `consistency ${m}->${n} read ${store.nodesRead - before.nodes}`);
    }
  });

  it('refuses indices and sizes outside the tree with a RangeError', async () => {
    await assert.rejects(inclusionProof(5, 5, store), /leaf index 5 is not in a tree of 5 leaves/);
    await assert.rejects(inclusionProof(-1, 5, store), RangeError);
    await assert.rejects(inclusionProof(0, 0, store), RangeError);
    await assert.rejects(inclusionProof(0.5, 5, store), RangeError);
    await assert.rejects(inclusionProof(0, SIZE + 1, store, SIZE), /beyond the log's current size 5000/);
    await assert.rejects(consistencyProof(0, 5, store), /old tree size must be an integer >= 1/);
    await assert.rejects(consistencyProof(6, 5, store), /old tree size 6 is larger than new tree size 5/);
    await assert.rejects(consistencyProof(1, SIZE + 1, store, SIZE), RangeError);
    await assert.rejects(rootAt(SIZE + 1, store, SIZE), RangeError);
  });

  it('fails loudly when a stored node is missing instead of returning a short proof', async () => {
    await assert.rejects(inclusionProof(0, SIZE + 3, store), /no stored node/);
    const liar = { getNodes: async () => [] as Buffer[] };
    await assert.rejects(inclusionProof(0, 8, liar), /returned 0 of 3 nodes/);
  });

  it('hashes a run of perfect subtrees, and refuses a range that is not part of the tree', async () => {
    assert.deepEqual(await subtreeHash(0, SIZE, store), await rootAt(SIZE, store));
    await subtreeHash(4096, 4100, store);
    await assert.rejects(subtreeHash(1, 3, store), /do not form a subtree/);
  });
});
