// Issue 19, finding 16: the audit worker recovers from a store it could not open (no restart),
// and a worker that dies between its commit and its answer neither loses the answer (the request
// waiting on it is not refused) nor writes the batch twice. On SQLite, and on PostgreSQL when
// AIRLOCK_TEST_PG_URL is set (its re-send check is other SQL).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../lib/test-temp-dir.js';
import { waitFor } from '../../lib/test-wait.js';
import { openStore } from '../../store/index.js';
import { createScratchDatabase } from '../../store/postgres/scratch-database.js';
import { AuditWriter } from '../writer.js';
import { workerAppender } from './worker-appender.js';

const DIES_ONCE = new URL('../../../test/support/audit-worker-dies-once.mjs', import.meta.url);
const rec = (n: number) => ({ kind: 'test', n });

async function logged(url: string, baseDir: string): Promise<number[]> {
  const store = await openStore(url, baseDir);
  try {
    return (await store.audit.readAudit(-1, 100)).map((r) => (JSON.parse(r.line) as { n: number }).n);
  } finally {
    await store.close();
  }
}

async function survivesDeathAfterCommit(url: string, baseDir: string): Promise<void> {
  const appender = workerAppender(url, baseDir, { boot: DIES_ONCE });
  const writer = new AuditWriter(appender);
  try {
    writer.enqueue(rec(0));
    const seqs = await Promise.all([1, 2, 3].map((n) => writer.append(rec(n))));
    assert.ok(existsSync(path.join(baseDir, 'audit-worker-died')), 'the first worker died after its commit');
    assert.deepEqual(seqs, [1, 2, 3], 'the waiting callers got the seqs of the first commit');
    writer.enqueue(rec(4));
    assert.equal(await writer.flush(), true);
  } finally {
    await appender.close();
  }
  assert.deepEqual(await logged(url, baseDir), [0, 1, 2, 3, 4], 'each record once');
}

describe('audit worker (finding 16)', () => {
  it('opens a store it could not open at first, without a restart, and says so meanwhile', async () => {
    const dir = tempDir('audit-worker-open');
    const blocker = path.join(dir, 'data');
    writeFileSync(blocker, 'a file where the store directory should be');
    const failures: string[] = [];
    const url = 'sqlite:data/airlock.db';
    const appender = workerAppender(url, dir, { onStoreError: (err) => failures.push(err) });
    const writer = new AuditWriter(appender, { retryMs: 50 });
    try {
      await assert.rejects(writer.append(rec(1)), (err: Error & { code?: string }) => err.code === 'audit_unavailable');
      await waitFor(() => failures.length > 0, 10_000);

      rmSync(blocker);
      mkdirSync(blocker);
      await waitFor(() => writer.depth === 0, 30_000);
      assert.equal(await writer.append(rec(2)), 1);
    } finally {
      await appender.close();
    }
    assert.deepEqual(await logged(url, dir), [1, 2], 'the refused record is written once the store opens, and once');
  });

  it('answers a batch that a dying worker had committed, and writes it once (SQLite)', async () => {
    const dir = tempDir('audit-worker-dies');
    await survivesDeathAfterCommit('sqlite:airlock.db', dir);
  });

  it('answers a batch that a dying worker had committed, and writes it once (PostgreSQL)', { skip: !process.env.AIRLOCK_TEST_PG_URL }, async () => {
    const scratch = await createScratchDatabase(process.env.AIRLOCK_TEST_PG_URL!);
    try {
      // The schema first, so the worker's own open does not race the test's reads.
      await (await openStore(scratch.url, '.')).close();
      await survivesDeathAfterCommit(scratch.url, tempDir('audit-worker-dies-pg'));
    } finally {
      await scratch.drop();
    }
  });
});
