// The AuditStore contract: gap-free seqs, exact lines, a Merkle head and nodes that match them
// (stored or derived from the lines, level 0 included), atomic batches, checkpoints, sink
// cursors, and two replicas appending at once.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import {
  consistencyProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  nodeHash,
  rootAt,
  rootHash,
  verifyConsistency,
  verifyInclusion,
  type NodeReader,
} from '../../audit/log/index.js';
import { recordLine } from '../audit-line.js';
import type { AuditEntry, NodeKey, Store } from '../ports.js';
import { T, type StoreTest } from './harness.js';

/** RFC 9162 MTH computed from scratch: the reference the stored head and nodes must match. */
function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return emptyRoot();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

const entries = (n: number, tag: string): AuditEntry[] =>
  Array.from({ length: n }, (_, i) => ({ kind: 'decision', request_id: `${tag}-${i}`, effect: i % 3 ? 'allow' : 'deny', note: 'ü "q" \\ ✓' }));

/** Every perfect subtree of a tree of `size` leaves, level by level. */
function allNodeKeys(size: number): NodeKey[] {
  const keys: NodeKey[] = [];
  for (let level = 0; 2 ** level <= size; level++) for (let index = 0; (index + 1) * 2 ** level <= size; index++) keys.push({ level, index });
  return keys;
}

/** MTH of the leaves node `k` covers. */
const subtreeMth = (leaves: readonly Buffer[], k: NodeKey) => mth(leaves.slice(k.index * 2 ** k.level, (k.index + 1) * 2 ** k.level));

export function auditContract(test: StoreTest): void {
  describe('audit', () => {
    test('assigns gap-free seqs from 0 and stores recordLine lines', async (s) => {
      assert.deepEqual(await s.audit.appendAudit([]), []);
      const first = await s.audit.appendAudit(entries(3, 'a'));
      const second = await s.audit.appendAudit([{ kind: 'outcome', seq: 99, v: 5, status: 200 }]);
      assert.deepEqual([...first, ...second].map((r) => r.seq), [0, 1, 2, 3]);
      entries(3, 'a').forEach((e, i) => assert.equal(first[i]!.line, recordLine(i, e)));
      assert.equal(second[0]!.line, '{"v":1,"seq":3,"kind":"outcome","status":200}');
      assert.deepEqual(await s.audit.readAudit(-1, 100), [...first, ...second]);
    });

    test('keeps the head and every node, across several blocks in one read, consistent with the lines', async (s) => {
      // 50 records: three full blocks of 16 and a partly filled one, nodes up to level 5.
      for (const n of [1, 4, 3, 5, 20, 17]) await s.audit.appendAudit(entries(n, `b${n}`));
      const leaves = (await s.audit.readAudit(-1, 100)).map((r) => leafHash(r.line));
      const head = await s.audit.auditHead();
      assert.equal(head.size, 50);
      assert.equal(head.edges.length, 3, '50 = 32 + 16 + 2');
      assert.deepEqual(rootHash(head), mth(leaves));
      const keys = allNodeKeys(50);
      const nodes = await s.audit.readNodes(keys);
      keys.forEach((k, i) => assert.deepEqual(nodes[i], subtreeMth(leaves, k), `node ${k.level}/${k.index}`));
    });

    test('reads nodes in the order asked and throws when one is missing', async (s) => {
      const records = await s.audit.appendAudit(entries(4, 'c'));
      const leaves = records.map((r) => leafHash(r.line));
      assert.deepEqual(await s.audit.readNodes([{ level: 0, index: 3 }, { level: 2, index: 0 }, { level: 0, index: 0 }]), [leaves[3], mth(leaves), leaves[0]]);
      assert.deepEqual(await s.audit.readNodes([]), []);
      await assert.rejects(s.audit.readNodes([{ level: 0, index: 1 }, { level: 0, index: 4 }]), /missing/);
      await assert.rejects(s.audit.readNodes([{ level: 3, index: 0 }]), /missing/);
      await assert.rejects(s.audit.readNodes([{ level: 4, index: 0 }]), /missing/);
      await assert.rejects(s.audit.readNodes([{ level: 0, index: 16 }]), /missing/);
    });

    test('derives the low nodes of a partly filled last block and refuses the ones past the end', async (s) => {
      await s.audit.appendAudit(entries(30, 'd'));
      await s.audit.appendAudit(entries(7, 'e'));
      // 37 records: block 2 holds 32..36.
      const leaves = (await s.audit.readAudit(-1, 100)).map((r) => leafHash(r.line));
      const low = [{ level: 0, index: 36 }, { level: 1, index: 17 }, { level: 2, index: 8 }, { level: 4, index: 1 }, { level: 0, index: 32 }];
      assert.deepEqual(await s.audit.readNodes(low), low.map((k) => subtreeMth(leaves, k)));
      for (const k of [{ level: 0, index: 37 }, { level: 1, index: 18 }, { level: 3, index: 4 }, { level: 4, index: 2 }]) {
        await assert.rejects(s.audit.readNodes([{ level: 0, index: 0 }, k]), /missing/, `node ${k.level}/${k.index}`);
      }
    });

    test('serves proofs that verify at and near the end of the log', async (s) => {
      const reader: NodeReader = { getNodes: (keys) => s.audit.readNodes(keys) };
      for (const n of [13, 16, 20, 3]) await s.audit.appendAudit(entries(n, `f${n}`));
      const leaves = (await s.audit.readAudit(-1, 100)).map((r) => leafHash(r.line));
      for (const size of [1, 2, 15, 16, 17, 33, 35, 52]) {
        const root = await rootAt(size, reader, 52);
        assert.deepEqual(root, mth(leaves.slice(0, size)), `root at ${size}`);
        for (const seq of new Set([0, size - 2, size - 1].filter((i) => i >= 0))) {
          const proof = await inclusionProof(seq, size, reader, 52);
          assert.ok(verifyInclusion(leaves[seq]!, seq, size, proof, root), `inclusion ${seq} in ${size}`);
        }
        for (const m of new Set([1, size - 1, 16].filter((m) => m >= 1 && m < size))) {
          const proof = await consistencyProof(m, size, reader, 52);
          assert.ok(verifyConsistency(m, size, proof, mth(leaves.slice(0, m)), root), `consistency ${m} -> ${size}`);
        }
      }
    });

    test('leaves nothing behind when a batch fails', async (s) => {
      await s.audit.appendAudit(entries(2, 'ok'));
      await assert.rejects(s.audit.appendAudit([{ kind: 'fine' }, { kind: 'unserialisable', n: 1n }]));
      assert.equal((await s.audit.auditHead()).size, 2);
      assert.equal((await s.audit.readAudit(-1, 10)).length, 2);
      assert.deepEqual((await s.audit.appendAudit(entries(1, 'next'))).map((r) => r.seq), [2]);
    });

    test('commits a batch sent again by its writer once, answering with the seqs of the first commit (finding 16)', async (s, r) => {
      const first = await s.audit.appendAudit(entries(3, 'w0'), { writer: 'w', n: 0 });
      await s.audit.appendAudit(entries(2, 'other'), { writer: 'x', n: 0 });
      // The answer was lost (a worker died after the commit): the writer sends the batch again,
      // possibly through another connection.
      assert.deepEqual(await r.audit.appendAudit(entries(3, 'w0'), { writer: 'w', n: 0 }), first);
      assert.equal((await s.audit.auditHead()).size, 5);
      assert.deepEqual((await s.audit.appendAudit(entries(1, 'w1'), { writer: 'w', n: 1 })).map((x) => x.seq), [5]);
      await assert.rejects(s.audit.appendAudit(entries(3, 'w0'), { writer: 'w', n: 0 }), /older/);
      assert.deepEqual((await s.audit.appendAudit(entries(1, 'anon'))).map((x) => x.seq), [6], 'batches without a writer are not deduplicated');
      assert.equal((await s.audit.readAudit(-1, 100)).length, 7);
    });

    test('pages records after a seq', async (s) => {
      await s.audit.appendAudit(entries(10, 'p'));
      const page = async (after: number) => (await s.audit.readAudit(after, 4)).map((r) => r.seq);
      assert.deepEqual(await page(-1), [0, 1, 2, 3]);
      assert.deepEqual(await page(3), [4, 5, 6, 7]);
      assert.deepEqual(await page(7), [8, 9]);
      assert.deepEqual(await page(9), []);
    });

    test('saves one checkpoint per size and lists them in order', async (s) => {
      assert.equal(await s.audit.latestCheckpoint(), undefined);
      assert.deepEqual(await s.audit.listCheckpoints(), []);
      await s.audit.saveCheckpoint(8, 'note-8', T);
      await s.audit.saveCheckpoint(4, 'note-4', T + 1);
      await s.audit.saveCheckpoint(8, 'other', T + 2);
      assert.deepEqual(await s.audit.latestCheckpoint(), { size: 8, note: 'note-8' });
      assert.deepEqual(await s.audit.listCheckpoints(), [{ size: 4, note: 'note-4' }, { size: 8, note: 'note-8' }]);
    });

    test('keeps a cursor per sink, -1 before the first delivery', async (s) => {
      assert.equal(await s.audit.sinkCursor('splunk'), -1);
      await s.audit.setSinkCursor('splunk', 5, T);
      await s.audit.setSinkCursor('splunk', 9, T + 1);
      assert.equal(await s.audit.sinkCursor('splunk'), 9);
      assert.equal(await s.audit.sinkCursor('datadog'), -1);
    });

    test('gives two replicas appending at once gap-free seqs and one consistent tree', async (s, r) => {
      // 2 stores x 4 concurrent writers x 5 batches x 100 records = 4,000 records.
      const writer = async (store: Store, tag: string) => {
        const got = [];
        for (let b = 0; b < 5; b++) got.push(...(await store.audit.appendAudit(entries(100, `${tag}-${b}`))));
        return got;
      };
      const results = (await Promise.all([s, r].flatMap((store, i) => [0, 1, 2, 3].map((w) => writer(store, `${i}-${w}`))))).flat();
      assert.deepEqual(results.map((x) => x.seq).sort((a, b) => a - b), Array.from({ length: 4000 }, (_, i) => i));
      const stored = [];
      for (let after = -1; stored.length < 4000; after = stored.at(-1)!.seq) stored.push(...(await r.audit.readAudit(after, 1000)));
      const bySeq = new Map(results.map((x) => [x.seq, x.line]));
      stored.forEach((x, i) => assert.ok(x.seq === i && bySeq.get(i) === x.line, `record ${i}`));
      const head = await s.audit.auditHead();
      assert.equal(head.size, 4000);
      assert.deepEqual(rootHash(head), mth(stored.map((x) => leafHash(x.line))));
    });
  });
}
