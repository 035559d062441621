// The audit log on PostgreSQL. One transaction per batch locks the head row, assigns the next
// seqs, and writes the records, the Merkle nodes they complete that audit-nodes.ts keeps and the
// new head in a single statement: replicas serialise per batch (not per request), seqs stay
// gap-free across them, and a batch that fails leaves nothing behind. Lines are built by
// recordLine, like every backend. The same append runs inside the transactions of state changes
// (votes, grants, keys: see RecordsOf), always as their last statement: they lock their own rows
// first and the head last, like every batch, so the two cannot deadlock.
import { appendLeaves, leafHash } from '../../audit/log/index.js';
import { decodeHead, encodeHead, recordLine } from '../audit-line.js';
import { nodesToStore, readAuditNodes, type AuditNodeSource } from '../audit-nodes.js';
import type { AuditBatch, AuditInput, AuditStore, StoredAuditRecord } from '../ports.js';
import type { Db, Queryable } from './pool.js';

// With the head, the writer's last committed batch (NULLs when there is none, or no writer).
const LOCK_HEAD = `
  SELECT h.size, h.edges, b.batch, b.first_seq, b.count
  FROM audit_head h LEFT JOIN audit_batches b ON b.writer = $1
  WHERE h.id = 1 FOR UPDATE OF h`;

/** A writer's batch marker is kept this long: re-sends come within seconds, not days. */
const BATCH_MARKER_MS = 7 * 24 * 3_600_000;

// Records get seqs start, start+1, ... in array order. The lines travel as one JSON array
// (JSON.stringify is ~10x cheaper than pg's text[] escaping, and json_array_elements_text gives
// back each string exactly); nodes go in as three parallel arrays, often empty since only
// subtrees of 16+ leaves are kept (unnest of empty arrays inserts no row). The head update is
// guarded by the size read under the lock, as a second line of defence. The writer's batch marker
// ($8: NULL when the batch is anonymous) is upserted in the same statement.
const WRITE_BATCH = `
  WITH records AS (
    INSERT INTO audit_records(seq, line)
    SELECT $1::bigint + ord - 1, line FROM json_array_elements_text($2::json) WITH ORDINALITY AS t(line, ord)
  ), nodes AS (
    INSERT INTO audit_nodes(level, idx, hash) SELECT * FROM unnest($3::int[], $4::bigint[], $5::bytea[])
  ), batch AS (
    INSERT INTO audit_batches(writer, batch, first_seq, count, updated_at)
    SELECT $8::text, $9::bigint, $1::bigint, json_array_length($2::json), $10::bigint WHERE $8::text IS NOT NULL
    ON CONFLICT (writer) DO UPDATE SET batch = excluded.batch, first_seq = excluded.first_seq, count = excluded.count, updated_at = excluded.updated_at
  )
  UPDATE audit_head SET size = $6, edges = $7 WHERE id = 1 AND size = $1`;

interface LockedHead {
  size: number;
  edges: string;
  batch: number | null;
  first_seq: number | null;
  count: number | null;
}

/** Appends within the caller's transaction `q`; see AuditStore.appendAudit. */
export async function appendAuditIn(q: Queryable, entries: readonly AuditInput[], batch?: AuditBatch): Promise<StoredAuditRecord[]> {
  const row = (await q.query<LockedHead>(LOCK_HEAD, [batch?.writer ?? null])).rows[0];
  if (!row) throw new Error('audit head row is missing: the schema was not migrated');
  if (batch && row.batch !== null) {
    if (row.batch === batch.n) return readRange(q, row.first_seq! - 1, row.count!);
    if (row.batch > batch.n) throw new Error(`audit batch ${batch.n} is older than this writer's last (${row.batch})`);
  }
  // A writer's first batch clears the markers of writers long gone.
  if (batch && row.batch === null) await q.query(`DELETE FROM audit_batches WHERE updated_at < $1`, [Date.now() - BATCH_MARKER_MS]);
  const start = decodeHead(row.size, row.edges);
  const records: StoredAuditRecord[] = entries.map((e, i) => ({ seq: start.size + i, line: recordLine(start.size + i, e) }));
  const { head, nodes: completed } = appendLeaves(start, records.map((r) => leafHash(r.line)));
  const nodes = nodesToStore(completed);
  const written = await q.query(WRITE_BATCH, [
    start.size,
    JSON.stringify(records.map((r) => r.line)),
    nodes.map((n) => n.level),
    nodes.map((n) => n.index),
    nodes.map((n) => n.hash),
    head.size,
    encodeHead(head),
    batch?.writer ?? null,
    batch?.n ?? null,
    Date.now(),
  ]);
  if (written.rowCount !== 1) throw new Error('audit head moved while it was locked');
  return records;
}

async function readRange(q: Queryable, after: number, limit: number): Promise<StoredAuditRecord[]> {
  const { rows } = await q.query<StoredAuditRecord>(`SELECT seq, line FROM audit_records WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, limit]);
  return rows;
}

const READ_NODES = `
  SELECT n.hash FROM unnest($1::int[], $2::bigint[]) WITH ORDINALITY AS k(level, idx, ord)
  LEFT JOIN audit_nodes n ON n.level = k.level AND n.idx = k.idx
  ORDER BY k.ord`;

export function pgAuditStore(db: Db): AuditStore {
  const nodeSource: AuditNodeSource = {
    async storedNodes(keys) {
      const { rows } = await db.query<{ hash: Buffer | null }>(READ_NODES, [keys.map((k) => k.level), keys.map((k) => k.index)]);
      return rows.map((r) => r.hash ?? undefined);
    },
    readAudit: (after, limit) => readRange(db, after, limit),
  };
  return {
    async appendAudit(entries, batch) {
      return entries.length ? db.tx((q) => appendAuditIn(q, entries, batch)) : [];
    },
    readAudit: nodeSource.readAudit,
    async auditHead() {
      const row = (await db.query<{ size: number; edges: string }>(`SELECT size, edges FROM audit_head WHERE id = 1`)).rows[0];
      return row ? decodeHead(row.size, row.edges) : { size: 0, edges: [] };
    },
    async readNodes(keys) {
      return readAuditNodes(keys, nodeSource);
    },
    async saveCheckpoint(size, note, now) {
      await db.query(`INSERT INTO audit_checkpoints(size, note, created_at) VALUES ($1, $2, $3) ON CONFLICT (size) DO NOTHING`, [size, note, now]);
    },
    async latestCheckpoint() {
      const { rows } = await db.query<{ size: number; note: string }>(`SELECT size, note FROM audit_checkpoints ORDER BY size DESC LIMIT 1`);
      return rows[0];
    },
    async listCheckpoints() {
      return (await db.query<{ size: number; note: string }>(`SELECT size, note FROM audit_checkpoints ORDER BY size`)).rows;
    },
    async sinkCursor(sink) {
      const { rows } = await db.query<{ seq: number }>(`SELECT seq FROM sink_cursors WHERE sink = $1`, [sink]);
      return rows[0]?.seq ?? -1;
    },
    async setSinkCursor(sink, seq, now) {
      await db.query(
        `INSERT INTO sink_cursors(sink, seq, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (sink) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at`,
        [sink, seq, now],
      );
    },
  };
}
