// The audit log on SQLite: records, the Merkle nodes they complete that audit-nodes.ts keeps, and
// the head, all written in one IMMEDIATE transaction per batch. The head is read inside the
// transaction, so a CLI process appending beside a running gateway still gets the next seq, never
// a duplicate. The same append runs inside the transactions of state changes (votes, grants, keys:
// see RecordsOf), as a savepoint of theirs.
import type Database from 'better-sqlite3';
import { appendLeaves, leafHash } from '../../audit/log/index.js';
import type { AuditBatch, AuditHead, AuditInput, AuditStore, StoredAuditRecord } from '../ports.js';
import { encodeHead, decodeHead, recordLine } from '../audit-line.js';
import { nodesToStore, readAuditNodes, type AuditNodeSource } from '../audit-nodes.js';
import { writeWithoutBlocking } from './write-without-blocking.js';

/** Appends in a transaction, or in the caller's as a savepoint: synchronous, like all of better-sqlite3. */
export type SqliteAppend = Database.Transaction<(entries: readonly AuditInput[], batch?: AuditBatch) => StoredAuditRecord[]>;

type HeadRow = { size: number; edges: string } | undefined;
const toHead = (row: HeadRow): AuditHead => (row ? decodeHead(row.size, row.edges) : { size: 0, edges: [] });

/** A writer's batch marker is kept this long: re-sends come within seconds, not days. */
const BATCH_MARKER_MS = 7 * 24 * 3_600_000;

export function sqliteAuditAppend(db: Database.Database): SqliteAppend {
  const headRow = db.prepare(`SELECT size, edges FROM audit_head WHERE id = 1`);
  const putHead = db.prepare(
    `INSERT INTO audit_head(id, size, edges) VALUES (1, @size, @edges)
     ON CONFLICT(id) DO UPDATE SET size = excluded.size, edges = excluded.edges`,
  );
  const putRecord = db.prepare(`INSERT INTO audit_records(seq, line) VALUES (?, ?)`);
  const putNode = db.prepare(`INSERT INTO audit_nodes(level, idx, hash) VALUES (?, ?, ?)`);
  const range = db.prepare(`SELECT seq, line FROM audit_records WHERE seq > ? ORDER BY seq LIMIT ?`);
  const lastBatch = db.prepare(`SELECT batch, first_seq, count FROM audit_batches WHERE writer = ?`);
  const putBatch = db.prepare(
    `INSERT INTO audit_batches(writer, batch, first_seq, count, updated_at) VALUES (@writer, @n, @first, @count, @now)
     ON CONFLICT(writer) DO UPDATE SET batch = excluded.batch, first_seq = excluded.first_seq, count = excluded.count, updated_at = excluded.updated_at`,
  );
  const pruneBatches = db.prepare(`DELETE FROM audit_batches WHERE updated_at < ?`);

  const readHead = (): AuditHead => toHead(headRow.get() as HeadRow);

  return db.transaction((entries: readonly AuditInput[], batch?: AuditBatch): StoredAuditRecord[] => {
    const start = readHead();
    if (batch) {
      const last = lastBatch.get(batch.writer) as { batch: number; first_seq: number; count: number } | undefined;
      if (last?.batch === batch.n) return range.all(last.first_seq - 1, last.count) as StoredAuditRecord[];
      if (last && last.batch > batch.n) throw new Error(`audit batch ${batch.n} is older than this writer's last (${last.batch})`);
      // A writer's first batch clears the markers of writers long gone.
      if (!last) pruneBatches.run(Date.now() - BATCH_MARKER_MS);
    }
    const records = entries.map((e, i) => ({ seq: start.size + i, line: recordLine(start.size + i, e) }));
    const leaves = records.map((r) => leafHash(r.line));
    const { head, nodes } = appendLeaves({ size: start.size, edges: [...start.edges] }, leaves);
    for (const r of records) putRecord.run(r.seq, r.line);
    for (const n of nodesToStore(nodes)) putNode.run(n.level, n.index, n.hash);
    putHead.run({ size: head.size, edges: encodeHead(head) });
    if (batch) putBatch.run({ writer: batch.writer, n: batch.n, first: start.size, count: records.length, now: Date.now() });
    return records;
  });
}

export function sqliteAuditStore(db: Database.Database, append: SqliteAppend): AuditStore {
  const headRow = db.prepare(`SELECT size, edges FROM audit_head WHERE id = 1`);
  const range = db.prepare(`SELECT seq, line FROM audit_records WHERE seq > ? ORDER BY seq LIMIT ?`);
  const node = db.prepare(`SELECT hash FROM audit_nodes WHERE level = ? AND idx = ?`).pluck();
  const putCheckpoint = db.prepare(
    `INSERT INTO audit_checkpoints(size, note, created_at) VALUES (?, ?, ?) ON CONFLICT(size) DO NOTHING`,
  );
  const lastCheckpoint = db.prepare(`SELECT size, note FROM audit_checkpoints ORDER BY size DESC LIMIT 1`);
  const allCheckpoints = db.prepare(`SELECT size, note FROM audit_checkpoints ORDER BY size`);
  const cursor = db.prepare(`SELECT seq FROM sink_cursors WHERE sink = ?`).pluck();
  const putCursor = db.prepare(
    `INSERT INTO sink_cursors(sink, seq, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(sink) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at`,
  );

  const readHead = (): AuditHead => toHead(headRow.get() as HeadRow);

  const nodeSource: AuditNodeSource = {
    async storedNodes(keys) {
      return keys.map((k) => node.get(k.level, k.index) as Buffer | undefined);
    },
    async readAudit(after, limit) {
      return range.all(after, limit) as StoredAuditRecord[];
    },
  };

  return {
    async appendAudit(entries, batch) {
      return entries.length ? writeWithoutBlocking(db, () => append.immediate(entries, batch)) : [];
    },
    readAudit: nodeSource.readAudit,
    async auditHead() {
      return readHead();
    },
    async readNodes(keys) {
      return readAuditNodes(keys, nodeSource);
    },
    async saveCheckpoint(size, note, now) {
      putCheckpoint.run(size, note, now);
    },
    async latestCheckpoint() {
      return lastCheckpoint.get() as { size: number; note: string } | undefined;
    },
    async listCheckpoints() {
      return allCheckpoints.all() as { size: number; note: string }[];
    },
    async sinkCursor(sink) {
      return (cursor.get(sink) as number | undefined) ?? -1;
    },
    async setSinkCursor(sink, seq, now) {
      putCursor.run(sink, seq, now);
    },
  };
}
