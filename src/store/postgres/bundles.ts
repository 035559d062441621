// Policy bundles on PostgreSQL: every bundle ever activated, kept by version, and the one active
// row that every replica polls. An activation locks that row (SELECT ... FOR UPDATE, the row
// exists from the migration on) for its transaction, so replicas activating at once are served
// one at a time and a stale `expectedActive` is seen as stale, never overwritten.
import type { BundleStore } from '../ports.js';
import type { Db } from './pool.js';

interface ActiveRow {
  version: string;
  files: Record<string, string>;
  activated_at: number;
  source: string;
}

const LOCK_ACTIVE = `SELECT version FROM active_bundle WHERE id = 1 FOR UPDATE`;

// Files go in as one JSON text (kept as written, so they come back exactly). Re-activating the
// version already active leaves its row, and so its activated_at and source, as they were.
const RECORD_AND_ACTIVATE = `
  WITH recorded AS (
    INSERT INTO policy_bundles(version, files, first_activated_at) VALUES ($1, $2::json, $3) ON CONFLICT (version) DO NOTHING
  )
  UPDATE active_bundle SET version = $1, activated_at = $3, source = $4 WHERE id = 1 AND version IS DISTINCT FROM $1`;

export function pgBundleStore(db: Db): BundleStore {
  return {
    async activateBundle(bundle, now, expectedActive) {
      return db.tx(async (q) => {
        const row = (await q.query<{ version: string | null }>(LOCK_ACTIVE)).rows[0];
        if (!row) throw new Error('active bundle row is missing: the schema was not migrated');
        if (expectedActive !== undefined && row.version !== expectedActive) return false;
        await q.query(RECORD_AND_ACTIVATE, [bundle.version, JSON.stringify(bundle.files), now, bundle.source]);
        return true;
      });
    },
    async activeBundle() {
      const { rows } = await db.query<ActiveRow>(
        `SELECT a.version, b.files, a.activated_at, a.source FROM active_bundle a JOIN policy_bundles b ON b.version = a.version WHERE a.id = 1`,
      );
      const row = rows[0];
      return row && { version: row.version, files: row.files, activated_at: new Date(row.activated_at).toISOString(), source: row.source };
    },
    async activeBundleVersion() {
      const { rows } = await db.query<{ version: string | null }>(`SELECT version FROM active_bundle WHERE id = 1`);
      return rows[0]?.version ?? undefined;
    },
    async knownBundleVersion(version) {
      return ((await db.query(`SELECT 1 FROM policy_bundles WHERE version = $1`, [version])).rowCount ?? 0) > 0;
    },
  };
}
