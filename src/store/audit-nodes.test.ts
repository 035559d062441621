// The node split both backends share: which nodes are stored, and how the others are derived
// from a block of records with as few reads as possible.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appendLeaves, EMPTY_HEAD, leafHash, type StoredNode } from '../audit/log/index.js';
import { nodesToStore, readAuditNodes, STORED_NODE_MIN_LEVEL, type AuditNodeSource } from './audit-nodes.js';
import type { NodeKey, StoredAuditRecord } from './ports.js';

/** An in-memory log of `size` records that counts the reads readAuditNodes makes. */
function fakeLog(size: number) {
  const records: StoredAuditRecord[] = Array.from({ length: size }, (_, seq) => ({ seq, line: `{"seq":${seq}}` }));
  const { nodes } = appendLeaves(EMPTY_HEAD, records.map((r) => leafHash(r.line)));
  const all = new Map(nodes.map((n) => [`${n.level}/${n.index}`, n.hash]));
  const stored = new Map(nodesToStore(nodes).map((n) => [`${n.level}/${n.index}`, n.hash]));
  const reads = { storedCalls: 0, storedKeys: [] as NodeKey[], ranges: [] as [number, number][] };
  const source: AuditNodeSource = {
    async storedNodes(keys) {
      reads.storedCalls += 1;
      reads.storedKeys.push(...keys);
      return keys.map((k) => stored.get(`${k.level}/${k.index}`));
    },
    async readAudit(after, limit) {
      reads.ranges.push([after, limit]);
      return records.filter((r) => r.seq > after).slice(0, limit);
    },
  };
  return { records, source, reads, hash: (k: NodeKey) => all.get(`${k.level}/${k.index}`) };
}

describe('audit nodes', () => {
  it('keeps only the nodes of 16 or more leaves', () => {
    const { nodes } = appendLeaves(EMPTY_HEAD, Array.from({ length: 100 }, (_, i) => leafHash(`r${i}`)));
    const kept = nodesToStore(nodes);
    assert.equal(STORED_NODE_MIN_LEVEL, 4);
    assert.ok(kept.every((n: StoredNode) => n.level >= 4));
    // 100 leaves: 6 subtrees of 16, 3 of 32, 1 of 64, out of 197 nodes in all.
    assert.equal(kept.length, 10);
    assert.equal(nodes.length, 197);
  });

  it('reads stored nodes in one batch and each block of records once', async () => {
    const log = fakeLog(70);
    const keys: NodeKey[] = [
      { level: 0, index: 3 },
      { level: 5, index: 1 },
      { level: 3, index: 1 },
      { level: 0, index: 69 },
      { level: 1, index: 0 },
      { level: 4, index: 0 },
      { level: 2, index: 16 },
      { level: 0, index: 40 },
      { level: 6, index: 0 },
    ];
    const got = await readAuditNodes(keys, log.source);
    keys.forEach((k, i) => assert.deepEqual(got[i], log.hash(k), `node ${k.level}/${k.index}`));
    assert.equal(log.reads.storedCalls, 1);
    assert.ok(log.reads.storedKeys.every((k) => k.level >= 4), 'never asks the table for a derived level');
    assert.deepEqual(log.reads.ranges.sort((a, b) => a[0] - b[0]), [[-1, 16], [31, 16], [63, 16]]);
  });

  it('skips the stored read when every key is derived, and the block read when none is', async () => {
    const log = fakeLog(40);
    await readAuditNodes([{ level: 0, index: 0 }, { level: 3, index: 0 }], log.source);
    assert.deepEqual([log.reads.storedCalls, log.reads.ranges.length], [0, 1]);
    await readAuditNodes([{ level: 4, index: 1 }], log.source);
    assert.deepEqual([log.reads.storedCalls, log.reads.ranges.length], [1, 1]);
  });

  it('reports a node whose records are not all in the log as missing', async () => {
    const log = fakeLog(20);
    await assert.rejects(readAuditNodes([{ level: 0, index: 20 }], log.source), /audit node 0\/20 is missing/);
    await assert.rejects(readAuditNodes([{ level: 2, index: 5 }], log.source), /audit node 2\/5 is missing/);
    await assert.rejects(readAuditNodes([{ level: 4, index: 1 }], log.source), /audit node 4\/1 is missing/);
  });

  it('does not hash across a gap in the records', async () => {
    const log = fakeLog(16);
    log.records.splice(5, 1); // seq 5 deleted: 6..15 must not stand in for it
    assert.deepEqual(await readAuditNodes([{ level: 2, index: 0 }], log.source), [log.hash({ level: 2, index: 0 })]);
    await assert.rejects(readAuditNodes([{ level: 0, index: 5 }], log.source), /missing/);
    await assert.rejects(readAuditNodes([{ level: 1, index: 3 }], log.source), /missing/);
  });
});
