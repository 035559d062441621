// The audit log on PostgreSQL. One transaction per batch locks the head row, assigns the next
// seqs, and writes the records, the Merkle nodes they complete that audit-nodes.ts keeps and the
// new head in a single statement: replicas serialise per batch (not per request), seqs stay
// gap-free across them, and a batch that fails leaves nothing behind. Lines are built by
// recordLine, like every backend.
import { appendLeaves, leafHash } from '../../audit/log/index.js';
import { decodeHead, encodeHead, recordLine } from '../audit-line.js';
import { nodesToStore, readAuditNodes, type AuditNodeSource } from '../audit-nodes.js';
import type { AuditStore, StoredAuditRecord } from '../ports.js';
import type { Db } from './pool.js';

const LOCK_HEAD = `SELECT size, edges FROM audit_head WHERE id = 1 FOR UPDATE`;

// Records get seqs start, start+1, ... in array order. The lines travel as one JSON array
// (JSON.stringify is ~10x cheaper than pg's text[] escaping, and json_array_elements_text gives
// back each string exactly); nodes go in as three parallel arrays, often empty since only
// subtrees of 16+ leaves are kept (unnest of empty arrays inserts no row). The head update is
// guarded by the size read under the lock, as a second line of defence.
const WRITE_BATCH = `
  WITH records AS (
    INSERT INTO audit_records(seq, line)
    SELECT $1::bigint + ord - 1, line FROM json_array_elements_text($2::json) WITH ORDINALITY AS t(line, ord)
  ), nodes AS (
    INSERT INTO audit_nodes(level, idx, hash) SELECT * FROM unnest($3::int[], $4::bigint[], $5::bytea[])
  )
  UPDATE audit_head SET size = $6, edges = $7 WHERE id = 1 AND size = $1`;

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
    async readAudit(after, limit) {
      const { rows } = await db.query<StoredAuditRecord>(`SELECT seq, line FROM audit_records WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, limit]);
      return rows;
    },
  };
  return {
    async appendAudit(entries) {
      if (!entries.length) return [];
      return db.tx(async (q) => {
        const row = (await q.query<{ size: number; edges: string }>(LOCK_HEAD)).rows[0];
        if (!row) throw new Error('audit head row is missing: the schema was not migrated');
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
        ]);
        if (written.rowCount !== 1) throw new Error('audit head moved while it was locked');
        return records;
      });
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
