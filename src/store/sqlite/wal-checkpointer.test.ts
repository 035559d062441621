import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../../lib/test-temp-dir.js';
import { BACKSTOP_CHECKPOINT_PAGES, startWalCheckpointer } from './wal-checkpointer.js';

/** A WAL database whose commits leave checkpoints to the backstop, with 2 MB committed to its WAL. */
function databaseWithWal(): { file: string; db: Database.Database } {
  const file = path.join(tempDir('wal'), 'db.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
  db.exec('CREATE TABLE t (v BLOB)');
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 64; i++) insert.run(Buffer.alloc(32 * 1024, i));
  })();
  return { file, db };
}

const until = async (check: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; !check() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
  return check();
};

describe('the WAL checkpointer thread', () => {
  it('copies committed pages into the database file, so commits need not', async () => {
    const { file, db } = databaseWithWal();
    assert.ok(statSync(file).size < 64 * 1024, 'the commit left its pages in the WAL');
    const checkpointer = startWalCheckpointer(file, () => undefined, 10);
    try {
      assert.ok(await until(() => statSync(file).size >= 2 * 1024 * 1024, 5000), 'the thread checkpointed the WAL');
      assert.equal(db.prepare('SELECT count(*) FROM t').pluck().get(), 64);
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  it('stops when asked, and a database it cannot open is reported, not thrown', async () => {
    const errors: string[] = [];
    await startWalCheckpointer(path.join(tempDir('wal'), 'missing.sqlite'), (e) => errors.push(e), 10).stop();
    assert.equal(errors.length, 1);
    const { file, db } = databaseWithWal();
    await startWalCheckpointer(file, () => undefined, 10).stop();
    db.close();
  });
});
