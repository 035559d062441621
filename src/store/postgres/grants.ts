// Just-in-time grants on PostgreSQL. A grant's clock starts when it is approved (not when it was
// asked for). Each change is one conditional UPDATE that also bumps the `grants` counter by the
// number of grants it moved, in the same statement, so identity caches notice at once and two
// replicas racing on one grant cannot both move it. A change's audit records are appended in its
// transaction.
import type { Grant, GrantStatus, GrantStore, RecordsOf } from '../ports.js';
import { pageOf } from '../page.js';
import type { Db, Queryable } from './pool.js';
import { recordedChange } from './recorded-change.js';

interface Row {
  status: GrantStatus;
  starts_at: number | null;
  expires_at: number | null;
  ended_at: string | null;
  data: Omit<Grant, 'status' | 'starts_at' | 'expires_at'>;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const toGrant = (r: Row): Grant => ({
  ...r.data,
  ended_at: r.ended_at,
  status: r.status,
  starts_at: iso(r.starts_at),
  expires_at: iso(r.expires_at),
});

/** Runs an `UPDATE grants ... RETURNING *`, bumping the version once per grant it moved. */
async function move(q: Queryable, update: string, values: readonly unknown[]): Promise<Grant[]> {
  const { rows } = await q.query<Row>(
    `WITH moved AS (${update} RETURNING *),
     bump AS (UPDATE counters SET value = value + (SELECT count(*) FROM moved) WHERE name = 'grants' AND EXISTS (SELECT 1 FROM moved))
     SELECT * FROM moved ORDER BY n`,
    values,
  );
  return rows.map(toGrant);
}

/** The one pending grant waiting on an approval (the oldest, should there ever be several). */
const PENDING_FOR_APPROVAL = `id = (SELECT id FROM grants WHERE approval_id = $1 AND status = 'pending' ORDER BY n LIMIT 1) AND status = 'pending'`;

/** Starts grants now (the parameter `now`: its clock begins at the approval, not the request). */
const activate = (now: string) => `UPDATE grants SET status = 'active', starts_at = ${now},
  expires_at = ${now} + round((data->>'duration_seconds')::numeric * 1000)::bigint, ended_at = NULL`;

export function pgGrantStore(db: Db): GrantStore {
  /** Moves grants, with the change's records in its transaction. */
  const moveRecorded = async (records: RecordsOf<Grant[]> | undefined, update: string, values: readonly unknown[]) =>
    (await recordedChange(db, records, (q) => move(q, update, values))) ?? [];
  /** Moves at most one grant. */
  const moveOne = async (records: RecordsOf<Grant> | undefined, update: string, values: readonly unknown[]) =>
    (await moveRecorded(records && (([g]) => records(g!)), update, values))[0];

  return {
    async insertGrant(g, records) {
      const { status, starts_at, expires_at, ...data } = g;
      await recordedChange(db, records && (() => records), (q) => q.query(
        `WITH g AS (
           INSERT INTO grants(id, principal, grp, status, approval_id, starts_at, expires_at, ended_at, data)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         )
         UPDATE counters SET value = value + 1 WHERE name = 'grants'`,
        [
          g.id,
          `${g.principal.type}::${g.principal.id}`,
          g.group,
          status,
          g.approval_id,
          starts_at ? Date.parse(starts_at) : null,
          expires_at ? Date.parse(expires_at) : null,
          g.ended_at,
          JSON.stringify(data),
        ],
      ).then(() => g));
    },
    async getGrant(id) {
      const row = (await db.query<Row>(`SELECT * FROM grants WHERE id = $1`, [id])).rows[0];
      return row && toGrant(row);
    },
    async listGrants(limit, before) {
      const { rows } = await db.query<Row & { n: string }>(`SELECT * FROM grants WHERE n < $2 ORDER BY n DESC LIMIT $1`, [limit + 1, before ?? Number.MAX_SAFE_INTEGER]);
      return pageOf(rows, limit, toGrant, (r) => Number(r.n));
    },
    async listActiveGrants(now) {
      return (await db.query<Row>(`SELECT * FROM grants WHERE status = 'active' AND expires_at > $1 ORDER BY n`, [now])).rows.map(toGrant);
    },
    async activateGrant(approvalId, now, records) {
      return moveOne(records, `${activate('$2')} WHERE ${PENDING_FOR_APPROVAL}`, [approvalId, now]);
    },
    async activateApprovedGrants(now, records) {
      return moveRecorded(
        records,
        `${activate('$1')} WHERE status = 'pending' AND approval_id IN (SELECT id FROM approvals WHERE status = 'approved')`,
        [now],
      );
    },
    async denyGrant(approvalId, now, records) {
      return moveOne(records, `UPDATE grants SET status = 'denied', ended_at = $2 WHERE ${PENDING_FOR_APPROVAL}`, [approvalId, new Date(now).toISOString()]);
    },
    async revokeGrant(id, now, records) {
      return moveOne(records, `UPDATE grants SET status = 'revoked', ended_at = $2 WHERE id = $1 AND status IN ('pending', 'active')`, [
        id,
        new Date(now).toISOString(),
      ]);
    },
    async expireGrants(now, records) {
      // A pending grant whose approval was denied or expired can never start: end it too.
      return moveRecorded(
        records,
        `UPDATE grants g SET status = 'expired', ended_at = $2
         WHERE (g.status = 'active' AND g.expires_at <= $1)
            OR (g.status = 'pending' AND EXISTS (
                  SELECT 1 FROM approvals a WHERE a.id = g.approval_id AND a.status IN ('expired', 'denied')))`,
        [now, new Date(now).toISOString()],
      );
    },
    async grantsVersion() {
      const { rows } = await db.query<{ value: number }>(`SELECT value FROM counters WHERE name = 'grants'`);
      return rows[0]?.value ?? 0;
    },
  };
}
