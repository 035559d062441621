import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../../lib/test-temp-dir.js';
import { BUSY_TIMEOUT_MS, writeWithoutBlocking } from './write-without-blocking.js';

describe('writeWithoutBlocking', () => {
  const file = path.join(tempDir('busy'), 'db.sqlite');
  const ours = new Database(file);
  const other = new Database(file);
  for (const db of [ours, other]) db.pragma('journal_mode = WAL');
  ours.exec('CREATE TABLE t (v INTEGER)');
  ours.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  after(() => {
    ours.close();
    other.close();
  });

  it('waits for another connection\'s write lock without stalling the event loop, then writes', async () => {
    other.exec('BEGIN IMMEDIATE'); // the other connection (the audit worker) holds the write lock
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    const write = writeWithoutBlocking(ours, () => ours.prepare('INSERT INTO t VALUES (1)').run());
    await new Promise((r) => setTimeout(r, 30));
    assert.ok(ticks >= 10, `the event loop ran while the lock was held (${ticks} ticks)`);
    assert.equal(ours.prepare('SELECT count(*) FROM t').pluck().get(), 0);
    other.exec('COMMIT');
    await write;
    clearInterval(ticker);
    assert.equal(ours.prepare('SELECT count(*) FROM t').pluck().get(), 1);
    assert.equal(ours.pragma('busy_timeout', { simple: true }), BUSY_TIMEOUT_MS, 'the connection keeps its busy timeout for other statements');
  });

  it('passes on errors other than a held lock at once', async () => {
    await assert.rejects(writeWithoutBlocking(ours, () => ours.prepare('INSERT INTO missing VALUES (1)').run()), /no such table/);
  });
});
