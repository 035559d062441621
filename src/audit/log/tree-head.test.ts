// The tree head: which nodes an append reports, that batching does not matter, and that a stored
// head survives its one-row form while a damaged row is refused.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { leafHash, nodeHash } from './hash.js';
import { appendLeaves, deserializeHead, EMPTY_HEAD, extendHead, rootHash, serializeHead, type StoredNode } from './tree-head.js';

const leaves = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => leafHash(`leaf ${i}`));
const key = (n: { level: number; index: number }): string => `${n.level}/${n.index}`;

describe('tree head', () => {
  it('reports every perfect subtree once, each the hash of its two children', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 600 }), (n) => {
        const { nodes } = appendLeaves(EMPTY_HEAD, leaves(n));
        const byKey = new Map(nodes.map((node) => [key(node), node.hash]));
        assert.equal(byKey.size, nodes.length, 'no node reported twice');
        let expected = 0;
        for (let w = 1; w <= n; w *= 2) expected += Math.floor(n / w);
        assert.equal(nodes.length, expected);
        for (const { level, index, hash } of nodes) {
          if (level === 0) continue;
          const left = byKey.get(key({ level: level - 1, index: 2 * index }));
          const right = byKey.get(key({ level: level - 1, index: 2 * index + 1 }));
          assert.ok(left && right, `children of ${level}/${index} were reported`);
          assert.deepEqual(hash, nodeHash(left, right));
        }
      }),
    );
  });

  it('keeps one edge per one-bit of the size, largest first', () => {
    const { head, nodes } = appendLeaves(EMPTY_HEAD, leaves(13)); // 8 + 4 + 1
    const edge = (level: number, index: number): Buffer | undefined =>
      nodes.find((nd: StoredNode) => nd.level === level && nd.index === index)?.hash;
    assert.deepEqual(head.edges, [edge(3, 0), edge(2, 2), edge(0, 12)]);
  });

  it('gives the same head and nodes however the leaves are batched, without touching the old head', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.array(fc.integer({ min: 1, max: 50 })), (n, cuts) => {
        const all = leaves(n);
        const once = appendLeaves(EMPTY_HEAD, all);
        let head = EMPTY_HEAD;
        const nodes: StoredNode[] = [];
        let at = 0;
        for (const c of [...cuts, n]) {
          const before = serializeHead(head);
          const step = appendLeaves(head, all.slice(at, at + c));
          assert.equal(serializeHead(head), before, 'input head unchanged');
          nodes.push(...step.nodes);
          head = step.head;
          at = Math.min(n, at + c);
        }
        assert.deepEqual(head, once.head);
        assert.deepEqual(nodes, once.nodes);
        assert.deepEqual(extendHead(EMPTY_HEAD, all), once.head);
      }),
    );
  });

  it('round-trips through its one-row form', () => {
    for (const n of [0, 1, 2, 7, 64, 1000]) {
      const { head } = appendLeaves(EMPTY_HEAD, leaves(n));
      const back = deserializeHead(serializeHead(head));
      assert.deepEqual(back, head);
      assert.deepEqual(rootHash(back), rootHash(head));
    }
  });

  it('refuses a damaged head row', () => {
    const good = JSON.parse(serializeHead(appendLeaves(EMPTY_HEAD, leaves(7)).head)) as { size: number; edges: string[] };
    const bad = [
      'not json',
      'null',
      JSON.stringify({ ...good, size: 8 }),
      JSON.stringify({ ...good, size: -1 }),
      JSON.stringify({ ...good, size: 7.5 }),
      JSON.stringify({ ...good, edges: good.edges.slice(1) }),
      JSON.stringify({ ...good, edges: [good.edges[0], good.edges[1], 'AAAA'] }),
      JSON.stringify({ ...good, edges: [1, 2, 3] }),
    ];
    for (const text of bad) assert.throws(() => deserializeHead(text), Error, text);
  });

  it('refuses leaf hashes that are not 32 bytes', () => {
    assert.throws(() => appendLeaves(EMPTY_HEAD, [Buffer.alloc(31)]), /leaf hash 0 must be a 32-byte hash/);
  });
});
