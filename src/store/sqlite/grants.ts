// Just-in-time grants on SQLite. A grant's clock starts when it is approved (not when it was
// asked for), and every start or end bumps a counter so identity caches notice it at once. A
// change's audit records are appended in its transaction.
import type Database from 'better-sqlite3';
import { pageOf } from '../page.js';
import type { Grant, GrantStatus, GrantStore } from '../ports.js';
import type { SqliteAppend } from './audit.js';
import { recordedChange } from './recorded-change.js';

interface Row {
  status: GrantStatus;
  starts_at: number | null;
  expires_at: number | null;
  data: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function sqliteGrantStore(db: Database.Database, append: SqliteAppend): GrantStore {
  const bump = db.prepare(
    `INSERT INTO counters(name, value) VALUES ('grants', 1) ON CONFLICT(name) DO UPDATE SET value = value + 1`,
  );
  const version = db.prepare(`SELECT value FROM counters WHERE name = 'grants'`).pluck();
  const insert = db.prepare(
    `INSERT INTO grants(id, principal, grp, status, approval_id, starts_at, expires_at, data)
     VALUES (@id, @principal, @grp, @status, @approval_id, @starts_at, @expires_at, @data)`,
  );
  const byId = db.prepare(`SELECT * FROM grants WHERE id = ?`);
  const byApproval = db.prepare(`SELECT * FROM grants WHERE approval_id = ? AND status = 'pending'`);
  const list = db.prepare(`SELECT rowid AS pos, * FROM grants WHERE rowid < ? ORDER BY rowid DESC LIMIT ?`);
  const active = db.prepare(`SELECT * FROM grants WHERE status = 'active' AND expires_at > ?`);
  const setStatus = db.prepare(
    `UPDATE grants SET status = @status, starts_at = coalesce(@starts_at, starts_at), expires_at = coalesce(@expires_at, expires_at),
       data = json_set(data, '$.ended_at', @ended_at)
     WHERE id = @id AND status IN (SELECT value FROM json_each(@from))`,
  );
  const approved = db.prepare(
    `SELECT g.approval_id FROM grants g JOIN approvals a ON a.id = g.approval_id WHERE g.status = 'pending' AND a.status = 'approved'`,
  ).pluck();
  const ending = db.prepare(
    `SELECT g.* FROM grants g LEFT JOIN approvals a ON a.id = g.approval_id
     WHERE (g.status = 'active' AND g.expires_at <= @now)
        OR (g.status = 'pending' AND a.status IN ('expired', 'denied'))`,
  );

  const toGrant = (r: Row): Grant => ({
    ...(JSON.parse(r.data) as Grant),
    status: r.status,
    starts_at: iso(r.starts_at),
    expires_at: iso(r.expires_at),
  });
  const get = (id: string) => {
    const row = byId.get(id) as Row | undefined;
    return row && toGrant(row);
  };

  /** Moves one grant between states; returns it when the move happened. */
  const move = (id: string, from: GrantStatus[], status: GrantStatus, times: { starts_at?: number; expires_at?: number; ended_at?: string } = {}) => {
    const changed = setStatus.run({
      id,
      status,
      from: JSON.stringify(from),
      starts_at: times.starts_at ?? null,
      expires_at: times.expires_at ?? null,
      ended_at: times.ended_at ?? null,
    }).changes;
    if (!changed) return undefined;
    bump.run();
    return get(id);
  };

  const start = (approvalId: string, now: number) => {
    const row = byApproval.get(approvalId) as (Row & { id: string }) | undefined;
    if (!row) return undefined;
    const g = toGrant(row);
    return move(row.id, ['pending'], 'active', { starts_at: now, expires_at: now + g.duration_seconds * 1000 });
  };
  const activate = recordedChange(db, append, start);
  const catchUp = recordedChange(db, append, (now: number) =>
    (approved.all() as string[]).map((id) => start(id, now)).filter((g): g is Grant => g !== undefined),
  );
  const deny = recordedChange(db, append, (approvalId: string, now: number) => {
    const row = byApproval.get(approvalId) as (Row & { id: string }) | undefined;
    return row ? move(row.id, ['pending'], 'denied', { ended_at: new Date(now).toISOString() }) : undefined;
  });
  const revoke = recordedChange(db, append, (id: string, now: number) => move(id, ['pending', 'active'], 'revoked', { ended_at: new Date(now).toISOString() }));
  const expire = recordedChange(db, append, (now: number) =>
    (ending.all({ now }) as (Row & { id: string })[])
      .map((r) => move(r.id, ['pending', 'active'], 'expired', { ended_at: new Date(now).toISOString() }))
      .filter((g): g is Grant => g !== undefined),
  );
  const add = recordedChange(db, append, (g: Grant): Grant => {
    const { status, starts_at, expires_at, ...data } = g;
    insert.run({
      id: g.id,
      principal: `${g.principal.type}::${g.principal.id}`,
      grp: g.group,
      status,
      approval_id: g.approval_id,
      starts_at: starts_at ? Date.parse(starts_at) : null,
      expires_at: expires_at ? Date.parse(expires_at) : null,
      data: JSON.stringify(data),
    });
    bump.run();
    return g;
  });

  return {
    async insertGrant(g, records) {
      add(records && (() => records), g);
    },
    async getGrant(id) {
      return get(id);
    },
    async listGrants(limit, before) {
      return pageOf(list.all(before ?? Number.MAX_SAFE_INTEGER, limit + 1) as (Row & { pos: number })[], limit, toGrant, (r) => r.pos);
    },
    async listActiveGrants(now) {
      return (active.all(now) as Row[]).map(toGrant);
    },
    async activateGrant(approvalId, now, records) {
      return activate(records, approvalId, now);
    },
    async activateApprovedGrants(now, records) {
      return catchUp(records, now) ?? [];
    },
    async denyGrant(approvalId, now, records) {
      return deny(records, approvalId, now);
    },
    async revokeGrant(id, now, records) {
      return revoke(records, id, now);
    },
    async expireGrants(now, records) {
      return expire(records, now) ?? [];
    },
    async grantsVersion() {
      return (version.get() as number | undefined) ?? 0;
    },
  };
}
