// The audit log on SQLite: records, the Merkle nodes they complete that audit-nodes.ts keeps, and
// the head, all written in one IMMEDIATE transaction per batch. The head is read inside the
// transaction, so a CLI process appending beside a running gateway still gets the next seq, never
// a duplicate.
import type Database from 'better-sqlite3';
import { appendLeaves, leafHash } from '../../audit/log/index.js';
import type { AuditHead, AuditInput, AuditStore, StoredAuditRecord } from '../ports.js';
import { encodeHead, decodeHead, recordLine } from '../audit-line.js';
import { nodesToStore, readAuditNodes, type AuditNodeSource } from '../audit-nodes.js';

export function sqliteAuditStore(db: Database.Database): AuditStore {
  const headRow = db.prepare(`SELECT size, edges FROM audit_head WHERE id = 1`);
  const putHead = db.prepare(
    `INSERT INTO audit_head(id, size, edges) VALUES (1, @size, @edges)
     ON CONFLICT(id) DO UPDATE SET size = excluded.size, edges = excluded.edges`,
  );
  const putRecord = db.prepare(`INSERT INTO audit_records(seq, line) VALUES (?, ?)`);
  const putNode = db.prepare(`INSERT INTO audit_nodes(level, idx, hash) VALUES (?, ?, ?)`);
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

  const readHead = (): AuditHead => {
    const row = headRow.get() as { size: number; edges: string } | undefined;
    return row ? decodeHead(row.size, row.edges) : { size: 0, edges: [] };
  };

  const append = db.transaction((entries: readonly AuditInput[]): StoredAuditRecord[] => {
    const start = readHead();
    const records = entries.map((e, i) => ({ seq: start.size + i, line: recordLine(start.size + i, e) }));
    const leaves = records.map((r) => leafHash(r.line));
    const { head, nodes } = appendLeaves({ size: start.size, edges: [...start.edges] }, leaves);
    for (const r of records) putRecord.run(r.seq, r.line);
    for (const n of nodesToStore(nodes)) putNode.run(n.level, n.index, n.hash);
    putHead.run({ size: head.size, edges: encodeHead(head) });
    return records;
  });

  const nodeSource: AuditNodeSource = {
    async storedNodes(keys) {
      return keys.map((k) => node.get(k.level, k.index) as Buffer | undefined);
    },
    async readAudit(after, limit) {
      return range.all(after, limit) as StoredAuditRecord[];
    },
  };

  return {
    async appendAudit(entries) {
      return entries.length ? append.immediate(entries) : [];
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
