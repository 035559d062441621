import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditStore, StoredAuditRecord } from '../store/ports.js';
import { auditLines, seqBefore } from './audit-source.js';

/** An in-memory log whose record i has time `times[i]` (ms), counting reads. */
function fakeStore(times: readonly (number | undefined)[]) {
  const records: StoredAuditRecord[] = times.map((t, seq) => ({
    seq,
    line: JSON.stringify(t === undefined ? { v: 1, seq, kind: 'x' } : { v: 1, seq, kind: 'decision', time: new Date(t).toISOString() }),
  }));
  const store = {
    reads: 0,
    async readAudit(after: number, limit: number) {
      store.reads++;
      return records.filter((r) => r.seq > after).slice(0, limit);
    },
    async auditHead() {
      return { size: records.length, edges: [] };
    },
  };
  return store as typeof store & AuditStore;
}

describe('audit source', () => {
  it('streams every record line in seq order, page by page', async () => {
    const store = fakeStore(Array.from({ length: 23 }, (_, i) => i));
    const got: string[] = [];
    for await (const line of auditLines(store, { pageSize: 5 })) got.push(line);
    assert.equal(got.length, 23);
    assert.deepEqual(got.map((l) => JSON.parse(l).seq), Array.from({ length: 23 }, (_, i) => i));
  });

  it('finds where a time window starts without reading the log before it', async () => {
    const minute = 60_000;
    const store = fakeStore(Array.from({ length: 10_000 }, (_, i) => i * minute));
    assert.equal(await seqBefore(store, 5000 * minute), 4999);
    assert.ok(store.reads < 20, `${store.reads} probes`);
    const lines: string[] = [];
    for await (const line of auditLines(store, { sinceMs: 9000 * minute, pageSize: 1000 })) lines.push(line);
    // A margin before the start is read too (records can be a little out of time order).
    assert.equal(JSON.parse(lines[0]!).seq, 9000 - 15);
  });

  it('starts early rather than late when probed records carry no time', async () => {
    const times = Array.from({ length: 100 }, (_, i) => (i >= 40 && i < 60 ? undefined : i * 1000));
    const store = fakeStore(times);
    const after = await seqBefore(store, 70_000);
    assert.ok(after < 70 && after >= 39, `after=${after}`);
  });
});
