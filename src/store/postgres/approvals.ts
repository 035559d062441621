// Approvals and their votes on PostgreSQL. A vote locks its approval's row (SELECT ... FOR UPDATE)
// for the length of its transaction, so voters on any number of replicas are served one at a
// time per approval: the quorum is reached exactly once and no vote lands on a closed approval.
// Every other state change is one conditional UPDATE (`WHERE status = ...`) that only one caller
// can win. A change's audit records are appended in its transaction.
import type { Approval, ApprovalStatus, Vote } from '../../approvals/types.js';
import { requirementsMet, requirementsOf } from '../../approvals/requirements.js';
import type { ApprovalStore, VoteResult } from '../ports.js';
import type { Db, Queryable } from './pool.js';
import { pageOf } from '../page.js';
import { recordedChange } from './recorded-change.js';

type Stored = Omit<Approval, 'status' | 'votes' | 'expires_at' | 'decided_at' | 'used_at' | 'requirements'> & Partial<Pick<Approval, 'requirements'>>;

interface Row {
  id: string;
  status: ApprovalStatus;
  expires_at: number;
  decided_at: number | null;
  used_at: number | null;
  data: Stored;
  votes: Vote[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const approverKey = (v: Vote) => `${v.approver.type}::${v.approver.id}`;

/** Selects approval rows from `source` (a table or a CTE) with their votes, in one query. */
const withVotes = (source: string) => `
  SELECT x.*, coalesce((SELECT json_agg(v.data ORDER BY v.seq) FROM approval_votes v WHERE v.approval_id = x.id), '[]'::json) AS votes
  FROM ${source} x`;

const toApproval = (r: Row): Approval => ({
  ...r.data,
  requirements: requirementsOf(r.data),
  status: r.status,
  votes: r.votes,
  expires_at: iso(r.expires_at)!,
  decided_at: iso(r.decided_at),
  used_at: iso(r.used_at),
});

async function read(q: Queryable, id: string): Promise<Approval | undefined> {
  const row = (await q.query<Row>(`${withVotes('approvals')} WHERE x.id = $1`, [id])).rows[0];
  return row && toApproval(row);
}

async function vote(q: Queryable, id: string, v: Vote, now: number, useTtlMs: number): Promise<VoteResult> {
  const locked = (await q.query<{ status: ApprovalStatus; expires_at: number }>(
    `SELECT status, expires_at FROM approvals WHERE id = $1 FOR UPDATE`,
    [id],
  )).rows[0];
  if (!locked) return { outcome: 'not_found' };
  if (locked.status !== 'pending' || locked.expires_at <= now) return { outcome: 'not_pending', approval: await read(q, id) };
  const added = await q.query(
    `INSERT INTO approval_votes(approval_id, approver, vote, data, seq)
     VALUES ($1, $2, $3, $4, (SELECT count(*) FROM approval_votes WHERE approval_id = $1))
     ON CONFLICT (approval_id, approver) DO NOTHING`,
    [id, approverKey(v), v.vote, JSON.stringify(v)],
  );
  if (!added.rowCount) return { outcome: 'duplicate', approval: await read(q, id) };
  if (v.vote === 'deny') {
    await q.query(`UPDATE approvals SET status = 'denied', decided_at = $2 WHERE id = $1 AND status = 'pending'`, [id, now]);
  } else {
    // The row is locked (FOR UPDATE above): the votes read here are all there are.
    const current = (await read(q, id))!;
    if (requirementsMet(current.requirements, current.votes)) {
      await q.query(`UPDATE approvals SET status = 'approved', decided_at = $2, expires_at = $3 WHERE id = $1 AND status = 'pending'`, [id, now, now + useTtlMs]);
    }
  }
  return { outcome: 'recorded', approval: await read(q, id) };
}

export function pgApprovalStore(db: Db): ApprovalStore {
  return {
    async insertApproval(a, records) {
      const { status, votes: _v, expires_at, decided_at: _d, used_at: _u, ...data } = a;
      await recordedChange(db, records && (() => records), async (q) => {
        await q.query(
          `INSERT INTO approvals(id, status, fingerprint, quorum, expires_at, decided_at, used_at, data)
           VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6)`,
          [a.id, status, a.fingerprint, a.quorum, Date.parse(expires_at), JSON.stringify(data)],
        );
        return a;
      });
    },
    async findPending(fingerprint, now) {
      const { rows } = await db.query<Row>(
        `${withVotes('approvals')} WHERE x.fingerprint = $1 AND x.status = 'pending' AND x.expires_at > $2 ORDER BY x.n DESC LIMIT 1`,
        [fingerprint, now],
      );
      return rows[0] && toApproval(rows[0]);
    },
    async findApproved(fingerprint, now) {
      const { rows } = await db.query<Row>(
        `${withVotes('approvals')} WHERE x.fingerprint = $1 AND x.status = 'approved' AND x.expires_at > $2 ORDER BY x.n LIMIT 1`,
        [fingerprint, now],
      );
      return rows[0] && toApproval(rows[0]);
    },
    async getApproval(id) {
      return read(db, id);
    },
    async listApprovals(status, limit, before) {
      const { rows } = await db.query<Row & { n: string }>(
        `${withVotes('approvals')} WHERE ($1::text IS NULL OR x.status = $1) AND x.n < $3 ORDER BY x.n DESC LIMIT $2`,
        [status ?? null, limit + 1, before ?? Number.MAX_SAFE_INTEGER],
      );
      return pageOf(rows, limit, toApproval, (r) => Number(r.n));
    },
    async countPending(principal, now) {
      const { rows } = await db.query<{ count: string }>(
        `SELECT count(*) FROM approvals WHERE status = 'pending' AND expires_at > $1 AND data->'principal'->>'type' = $2 AND data->'principal'->>'id' = $3`,
        [now, principal.type, principal.id],
      );
      return Number(rows[0]!.count);
    },
    async castVote(id, v, now, useTtlMs, records) {
      return (await recordedChange(db, records, (q) => vote(q, id, v, now, useTtlMs), true))!;
    },
    async useApproval(id, fingerprint, now, records) {
      return recordedChange(db, records, async (q) => {
        const { rows } = await q.query<Row>(
          `WITH used AS (
             UPDATE approvals SET status = 'used', used_at = $3
             WHERE id = $1 AND status = 'approved' AND fingerprint = $2 AND expires_at > $3 RETURNING *
           ) ${withVotes('used')}`,
          [id, fingerprint, now],
        );
        return rows[0] && toApproval(rows[0]);
      });
    },
    async expireApprovals(now, records) {
      const expired = await recordedChange(db, records, async (q) => {
        const { rows } = await q.query<Row>(
          `WITH expired AS (
             UPDATE approvals SET status = 'expired' WHERE status IN ('pending', 'approved') AND expires_at <= $1 RETURNING *
           ) ${withVotes('expired')} ORDER BY x.n`,
          [now],
        );
        return rows.map(toApproval);
      });
      return expired ?? [];
    },
  };
}
