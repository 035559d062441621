// Approvals and their votes on SQLite. Every state change is a conditional UPDATE inside an
// IMMEDIATE transaction (`WHERE status = 'pending'`), so concurrent voters, in this process or
// another, reach the quorum exactly once and no vote lands on a closed approval. A change's audit
// records are appended in its transaction.
import type Database from 'better-sqlite3';
import type { Approval, ApprovalStatus, Vote } from '../../approvals/types.js';
import { requirementsMet, requirementsOf } from '../../approvals/requirements.js';
import type { ApprovalStore, VoteResult } from '../ports.js';
import { pageOf } from '../page.js';
import type { SqliteAppend } from './audit.js';
import { recordedChange } from './recorded-change.js';

interface Row {
  id: string;
  status: ApprovalStatus;
  expires_at: number;
  decided_at: number | null;
  used_at: number | null;
  data: string;
}

type Stored = Omit<Approval, 'status' | 'votes' | 'expires_at' | 'decided_at' | 'used_at' | 'requirements'> & Partial<Pick<Approval, 'requirements'>>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const approverKey = (v: Vote) => `${v.approver.type}::${v.approver.id}`;

export function sqliteApprovalStore(db: Database.Database, append: SqliteAppend): ApprovalStore {
  const insert = db.prepare(
    `INSERT INTO approvals(id, status, fingerprint, quorum, expires_at, decided_at, used_at, data)
     VALUES (@id, @status, @fingerprint, @quorum, @expires_at, NULL, NULL, @data)`,
  );
  const byId = db.prepare(`SELECT * FROM approvals WHERE id = ?`);
  const pending = db.prepare(
    `SELECT * FROM approvals WHERE fingerprint = ? AND status = 'pending' AND expires_at > ? ORDER BY rowid DESC LIMIT 1`,
  );
  const approved = db.prepare(
    `SELECT * FROM approvals WHERE fingerprint = ? AND status = 'approved' AND expires_at > ? ORDER BY rowid LIMIT 1`,
  );
  const list = db.prepare(
    `SELECT rowid AS pos, * FROM approvals WHERE (@status IS NULL OR status = @status) AND rowid < @before ORDER BY rowid DESC LIMIT @limit`,
  );
  const pendingOf = db
    .prepare(
      `SELECT count(*) FROM approvals WHERE status = 'pending' AND expires_at > @now
       AND json_extract(data, '$.principal.type') = @type AND json_extract(data, '$.principal.id') = @id`,
    )
    .pluck();
  const votesOf = db.prepare(`SELECT data FROM approval_votes WHERE approval_id = ? ORDER BY seq`).pluck();
  const addVote = db.prepare(
    `INSERT INTO approval_votes(approval_id, approver, vote, data, seq)
     VALUES (@id, @approver, @vote, @data, (SELECT count(*) FROM approval_votes WHERE approval_id = @id))
     ON CONFLICT(approval_id, approver) DO NOTHING`,
  );
  const close = db.prepare(
    `UPDATE approvals SET status = @status, decided_at = @now, expires_at = @expires WHERE id = @id AND status = 'pending'`,
  );
  const use = db.prepare(
    `UPDATE approvals SET status = 'used', used_at = @now
     WHERE id = @id AND status = 'approved' AND fingerprint = @fingerprint AND expires_at > @now`,
  );
  const expiring = db.prepare(`SELECT * FROM approvals WHERE status IN ('pending', 'approved') AND expires_at <= ?`);
  const expire = db.prepare(`UPDATE approvals SET status = 'expired' WHERE id = ? AND status IN ('pending', 'approved')`);

  const toApproval = (r: Row): Approval => {
    const data = JSON.parse(r.data) as Stored;
    return {
    ...data,
    requirements: requirementsOf(data),
    status: r.status,
    votes: (votesOf.all(r.id) as string[]).map((v) => JSON.parse(v) as Vote),
    expires_at: iso(r.expires_at)!,
    decided_at: iso(r.decided_at),
    used_at: iso(r.used_at),
    };
  };
  const get = (id: string) => {
    const row = byId.get(id) as Row | undefined;
    return row && toApproval(row);
  };

  const vote = recordedChange(db, append, (id: string, v: Vote, now: number, useTtlMs: number): VoteResult => {
    const row = byId.get(id) as Row | undefined;
    if (!row) return { outcome: 'not_found' };
    if (row.status !== 'pending' || row.expires_at <= now) return { outcome: 'not_pending', approval: toApproval(row) };
    const added = addVote.run({ id, approver: approverKey(v), vote: v.vote, data: JSON.stringify(v) }).changes;
    if (!added) return { outcome: 'duplicate', approval: toApproval(row) };
    if (v.vote === 'deny') close.run({ id, status: 'denied', now, expires: row.expires_at });
    else if (requirementsMet(toApproval(row).requirements, (votesOf.all(id) as string[]).map((x) => JSON.parse(x) as Vote))) {
      close.run({ id, status: 'approved', now, expires: now + useTtlMs });
    }
    return { outcome: 'recorded', approval: get(id)! };
  });

  const expireAll = recordedChange(db, append, (now: number): Approval[] => {
    const rows = expiring.all(now) as Row[];
    for (const r of rows) expire.run(r.id);
    return rows.map((r) => get(r.id)!);
  });
  const add = recordedChange(db, append, (a: Approval): Approval => {
    const { status, votes: _v, expires_at, decided_at: _d, used_at: _u, ...data } = a;
    insert.run({ id: a.id, status, fingerprint: a.fingerprint, quorum: a.quorum, expires_at: Date.parse(expires_at), data: JSON.stringify(data) });
    return a;
  });
  const spend = recordedChange(db, append, (id: string, fingerprint: string, now: number) =>
    use.run({ id, fingerprint, now }).changes ? get(id) : undefined,
  );

  return {
    async insertApproval(a, records) {
      add(records && (() => records), a);
    },
    async findPending(fingerprint, now) {
      const row = pending.get(fingerprint, now) as Row | undefined;
      return row && toApproval(row);
    },
    async findApproved(fingerprint, now) {
      const row = approved.get(fingerprint, now) as Row | undefined;
      return row && toApproval(row);
    },
    async getApproval(id) {
      return get(id);
    },
    async listApprovals(status, limit, before) {
      const rows = list.all({ status: status ?? null, limit: limit + 1, before: before ?? Number.MAX_SAFE_INTEGER }) as (Row & { pos: number })[];
      return pageOf(rows, limit, toApproval, (r) => r.pos);
    },
    async countPending(principal, now) {
      return pendingOf.get({ now, type: principal.type, id: principal.id }) as number;
    },
    async castVote(id, v, now, useTtlMs, records) {
      return vote(records, id, v, now, useTtlMs)!;
    },
    async useApproval(id, fingerprint, now, records) {
      return spend(records, id, fingerprint, now);
    },
    async expireApprovals(now, records) {
      return expireAll(records, now) ?? [];
    },
  };
}
