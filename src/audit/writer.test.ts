// The audit writer's group commit: what shares a transaction, what waits, and what a failed commit
// does to the records in it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditBatch, EncodedEntry } from '../store/ports.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { waitFor } from '../lib/test-wait.js';
import { storeAppender, type BatchAppender } from './append/appender.js';
import { AuditWriter } from './writer.js';

/** An appender that keeps each committed batch as the `n` of its entries; `failNext` fails one commit. */
function recordingAppender() {
  const batches: number[][] = [];
  const keys: (AuditBatch | undefined)[] = [];
  let seq = 0;
  let failNext = false;
  const appender: BatchAppender = {
    async appendBatch(entries: readonly EncodedEntry[], batch) {
      keys.push(batch);
      if (failNext) {
        failNext = false;
        throw new Error('store down');
      }
      batches.push(entries.map((e) => (JSON.parse(e) as { n: number }).n));
      return entries.map(() => seq++);
    },
    async close() {},
  };
  return { appender, batches, keys, failOnce: () => (failNext = true) };
}

const rec = (n: number) => ({ kind: 'x', n });

describe('audit writer', () => {
  it('commits an awaited record on the next turn of the event loop', async () => {
    const { appender, batches } = recordingAppender();
    const writer = new AuditWriter(appender);
    assert.equal(await writer.append(rec(1)), 0);
    assert.deepEqual(batches, [[1]]);
  });

  it('lets a record nobody waits for share the next awaited record\'s commit', async () => {
    const { appender, batches } = recordingAppender();
    // A long linger: a loaded machine must not turn the wait below into "alone".
    const writer = new AuditWriter(appender, { lingerMs: 60_000 });
    writer.enqueue(rec(1));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(batches, [], 'not flushed on the next turn');
    await writer.append(rec(2));
    assert.deepEqual(batches, [[1, 2]]);
    await writer.flush();
  });

  it('commits a record nobody waits for on its own within milliseconds', async () => {
    const { appender, batches } = recordingAppender();
    const writer = new AuditWriter(appender);
    writer.enqueue(rec(1));
    await waitFor(() => batches.length === 1, 1_000);
    assert.deepEqual(batches, [[1]]);
  });

  it('refuses the awaiting callers of a failed commit and sends the batch again, whole and under its number, until written', async () => {
    const { appender, batches, keys, failOnce } = recordingAppender();
    const errors: unknown[] = [];
    const writer = new AuditWriter(appender, { retryMs: 10, onError: (e) => errors.push(e) });
    failOnce();
    writer.enqueue(rec(1));
    await assert.rejects(writer.append(rec(2)), /store down/);
    const later = writer.append(rec(3));
    await waitFor(() => batches.length === 2, 1_000);
    assert.equal(await later, 2);
    assert.deepEqual(batches, [[1, 2], [3]], 'the failed batch first, as it was');
    assert.deepEqual(keys.map((k) => k?.n), [0, 0, 1]);
    assert.equal(new Set(keys.map((k) => k?.writer)).size, 1);
    assert.equal(errors.length, 1);
  });

  it('writes a batch once when its commit succeeded but the answer was lost (finding 16)', async () => {
    const store = openSqliteStore(':memory:');
    const inner = storeAppender(store.audit);
    let loseNext = true;
    // Commits, then fails as a connection dropped during COMMIT or a worker dying before it answers would.
    const losing: BatchAppender = {
      async appendBatch(entries, batch) {
        const seqs = await inner.appendBatch(entries, batch);
        if (loseNext) {
          loseNext = false;
          throw new Error('connection lost');
        }
        return seqs;
      },
      close: () => inner.close(),
    };
    const writer = new AuditWriter(losing, { retryMs: 10 });
    writer.enqueue(rec(1));
    await assert.rejects(writer.append(rec(2)), /connection lost/);
    await waitFor(() => writer.depth === 0, 1_000); // sent again, recognised, not written twice
    assert.equal(await writer.append(rec(3)), 2);
    const lines = (await store.audit.readAudit(-1, 10)).map((r) => (JSON.parse(r.line) as { n: number }).n);
    assert.deepEqual(lines, [1, 2, 3]);
    await store.close();
  });

  it('flush writes what is still lingering', async () => {
    const { appender, batches } = recordingAppender();
    const writer = new AuditWriter(appender);
    writer.enqueue(rec(1));
    writer.enqueue(rec(2));
    assert.equal(await writer.flush(), true);
    assert.deepEqual(batches, [[1, 2]]);
    assert.equal(writer.depth, 0);
  });
});
