// The AuditStore contract: gap-free seqs, exact lines, a Merkle head and nodes that match them,
// atomic batches, checkpoints, sink cursors, and two replicas appending at once.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { emptyRoot, leafHash, nodeHash, rootHash } from '../../audit/log/index.js';
import { recordLine } from '../audit-line.js';
import type { AuditEntry, Store } from '../ports.js';
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

    test('keeps the head and the stored nodes consistent with the lines', async (s) => {
      for (const n of [1, 4, 3, 5]) await s.audit.appendAudit(entries(n, `b${n}`));
      const leaves = (await s.audit.readAudit(-1, 100)).map((r) => leafHash(r.line));
      const head = await s.audit.auditHead();
      assert.equal(head.size, 13);
      assert.equal(head.edges.length, 3, '13 = 8 + 4 + 1');
      assert.deepEqual(rootHash(head), mth(leaves));
      const keys = [];
      for (let level = 0; 2 ** level <= 13; level++) for (let index = 0; (index + 1) * 2 ** level <= 13; index++) keys.push({ level, index });
      const stored = await s.audit.readNodes(keys);
      keys.forEach((k, i) => assert.deepEqual(stored[i], mth(leaves.slice(k.index * 2 ** k.level, (k.index + 1) * 2 ** k.level)), `node ${k.level}/${k.index}`));
    });

    test('reads nodes in the order asked and throws when one is missing', async (s) => {
      const records = await s.audit.appendAudit(entries(4, 'c'));
      const leaves = records.map((r) => leafHash(r.line));
      assert.deepEqual(await s.audit.readNodes([{ level: 0, index: 3 }, { level: 2, index: 0 }, { level: 0, index: 0 }]), [leaves[3], mth(leaves), leaves[0]]);
      assert.deepEqual(await s.audit.readNodes([]), []);
      await assert.rejects(s.audit.readNodes([{ level: 0, index: 1 }, { level: 0, index: 4 }]), /missing/);
      await assert.rejects(s.audit.readNodes([{ level: 3, index: 0 }]), /missing/);
    });

    test('leaves nothing behind when a batch fails', async (s) => {
      await s.audit.appendAudit(entries(2, 'ok'));
      await assert.rejects(s.audit.appendAudit([{ kind: 'fine' }, { kind: 'unserialisable', n: 1n }]));
      assert.equal((await s.audit.auditHead()).size, 2);
      assert.equal((await s.audit.readAudit(-1, 10)).length, 2);
      assert.deepEqual((await s.audit.appendAudit(entries(1, 'next'))).map((r) => r.seq), [2]);
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
