// What the shared contract cannot see on SQLite: how many node rows an append writes, and that a
// database written before only large subtrees were stored (leaf and small-subtree rows present)
// keeps appending and answering.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { appendLeaves, EMPTY_HEAD, leafHash } from '../../audit/log/index.js';
import { sqliteAuditAppend, sqliteAuditStore } from './audit.js';
import { migrate } from './migrations.js';

const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ kind: 'decision', request_id: `r-${i}` }));

function openAudit() {
  const db = new Database(':memory:');
  migrate(db);
  return { db, audit: sqliteAuditStore(db, sqliteAuditAppend(db)) };
}

const nodeLevels = (db: Database.Database) =>
  (db.prepare(`SELECT level FROM audit_nodes ORDER BY level`).pluck().all() as number[]);

describe('sqlite audit nodes', () => {
  it('stores one node row per perfect subtree of 16 or more leaves, none below', async () => {
    const { db, audit } = openAudit();
    for (let i = 0; i < 10; i++) await audit.appendAudit(entries(100));
    const levels = nodeLevels(db);
    // 1000 leaves: 62 subtrees of 16, 31 of 32, 15 of 64, 7 of 128, 3 of 256, 1 of 512.
    assert.equal(levels.length, 62 + 31 + 15 + 7 + 3 + 1);
    assert.equal(levels[0], 4);
  });

  it('keeps appending and answering on a database that still holds leaf and small-subtree rows', async () => {
    const { db, audit } = openAudit();
    const first = await audit.appendAudit(entries(21));
    // What the earlier layout stored besides: every leaf and every subtree below 16 leaves.
    const old = appendLeaves(EMPTY_HEAD, first.map((r) => leafHash(r.line))).nodes.filter((n) => n.level < 4);
    const put = db.prepare(`INSERT INTO audit_nodes(level, idx, hash) VALUES (?, ?, ?)`);
    for (const n of old) put.run(n.level, n.index, n.hash);
    const second = await audit.appendAudit(entries(30));
    const leaves = [...first, ...second].map((r) => leafHash(r.line));
    const { nodes } = appendLeaves(EMPTY_HEAD, leaves);
    const got = await audit.readNodes(nodes);
    nodes.forEach((n, i) => assert.deepEqual(got[i], n.hash, `node ${n.level}/${n.index}`));
  });
});
