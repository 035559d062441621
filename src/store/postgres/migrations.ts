// Versioned schema for the PostgreSQL store. Pending migrations run in one transaction under a
// transaction-scoped advisory lock, so replicas starting together apply each one exactly once
// and never see a half-built schema; `schema_migrations` records how far a database has come.
// Seqs and unix-ms times are BIGINT, hashes BYTEA, audit lines TEXT (their bytes are the Merkle
// leaves, so they must come back exactly), objects JSON (kept as written, key order included).
import type { Db } from './pool.js';

/** "AIRL": any constant works as long as every replica uses the same one. */
const MIGRATION_LOCK = 0x4149524c;
const MIGRATION_TIMEOUT_MS = 60_000;

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     agent TEXT NOT NULL,
     groups JSON NOT NULL,
     hash TEXT NOT NULL UNIQUE,
     created_at BIGINT NOT NULL,
     expires_at BIGINT,
     revoked_at BIGINT
   );
   CREATE INDEX api_keys_agent ON api_keys(agent);
   CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
   INSERT INTO counters(name, value) VALUES ('keys', 0), ('grants', 0);
   CREATE TABLE audit_records (seq BIGINT PRIMARY KEY, line TEXT NOT NULL);
   CREATE TABLE audit_nodes (level INT NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL, PRIMARY KEY (level, idx));
   CREATE TABLE audit_head (id INT PRIMARY KEY CHECK (id = 1), size BIGINT NOT NULL, edges TEXT NOT NULL);
   -- The head row always exists, so an append can lock it with FOR UPDATE from the very first batch.
   INSERT INTO audit_head(id, size, edges) VALUES (1, 0, '');
   CREATE TABLE audit_checkpoints (size BIGINT PRIMARY KEY, note TEXT NOT NULL, created_at BIGINT NOT NULL);
   CREATE TABLE sink_cursors (sink TEXT PRIMARY KEY, seq BIGINT NOT NULL, updated_at BIGINT NOT NULL);`,
  `CREATE TABLE approvals (
     n BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
     id TEXT PRIMARY KEY,
     status TEXT NOT NULL,
     fingerprint TEXT NOT NULL,
     quorum INT NOT NULL,
     expires_at BIGINT NOT NULL,
     decided_at BIGINT,
     used_at BIGINT,
     data JSON NOT NULL
   );
   CREATE INDEX approvals_pending ON approvals(fingerprint, status);
   CREATE INDEX approvals_status ON approvals(status, expires_at);
   CREATE TABLE approval_votes (
     approval_id TEXT NOT NULL REFERENCES approvals(id),
     approver TEXT NOT NULL,
     vote TEXT NOT NULL,
     data JSON NOT NULL,
     seq INT NOT NULL,
     PRIMARY KEY (approval_id, approver)
   );
   CREATE TABLE grants (
     n BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
     id TEXT PRIMARY KEY,
     principal TEXT NOT NULL,
     grp TEXT NOT NULL,
     status TEXT NOT NULL,
     approval_id TEXT,
     starts_at BIGINT,
     expires_at BIGINT,
     ended_at TEXT,
     data JSON NOT NULL
   );
   CREATE INDEX grants_active ON grants(status, expires_at);
   CREATE INDEX grants_approval ON grants(approval_id);`,
  `CREATE TABLE policy_bundles (
     version TEXT PRIMARY KEY,
     files JSON NOT NULL,
     first_activated_at BIGINT NOT NULL
   );
   CREATE TABLE active_bundle (
     id INT PRIMARY KEY CHECK (id = 1),
     version TEXT REFERENCES policy_bundles(version),
     activated_at BIGINT,
     source TEXT
   );
   -- The row always exists (version NULL until the first activation), so an activation can lock
   -- it with FOR UPDATE even when no bundle is active yet.
   INSERT INTO active_bundle(id, version, activated_at, source) VALUES (1, NULL, NULL, NULL);`,
  `CREATE TABLE token_usage (
     principal TEXT NOT NULL,
     day TEXT NOT NULL,
     tokens BIGINT NOT NULL,
     PRIMARY KEY (principal, day)
   );`,
  `CREATE TABLE alert_firings (id TEXT PRIMARY KEY, claimed_at BIGINT NOT NULL);`,
  // MCP tool pinning, and API keys that act on behalf of a user (delegation).
  `CREATE TABLE tool_pins (
     resource TEXT NOT NULL,
     tool TEXT NOT NULL,
     digest TEXT,
     pending_digest TEXT,
     pending_definition JSON,
     first_seen_at BIGINT NOT NULL,
     changed_at BIGINT,
     accepted_at BIGINT,
     accepted_by TEXT,
     PRIMARY KEY (resource, tool)
   );
   ALTER TABLE api_keys ADD COLUMN on_behalf_of TEXT;`,
  `ALTER TABLE api_keys ADD COLUMN s3_access_key_id TEXT UNIQUE;
   ALTER TABLE api_keys ADD COLUMN s3_secret_sealed TEXT;`,
  // Each audit writer's last committed batch: a batch sent again is recognised, not appended twice.
  `CREATE TABLE audit_batches (
     writer TEXT PRIMARY KEY,
     batch BIGINT NOT NULL,
     first_seq BIGINT NOT NULL,
     count INT NOT NULL,
     updated_at BIGINT NOT NULL
   );`,
  `-- The row always exists (kek_id NULL until the first claim), so puts and rotations can lock it.
   CREATE TABLE secrets_kek (id INT PRIMARY KEY CHECK (id = 1), kek_id TEXT, changed_at BIGINT);
   INSERT INTO secrets_kek(id, kek_id, changed_at) VALUES (1, NULL, NULL);
   INSERT INTO counters(name, value) VALUES ('secrets', 0) ON CONFLICT (name) DO NOTHING;
   CREATE TABLE secret_names (name TEXT PRIMARY KEY, last_version INT NOT NULL);
   CREATE TABLE secret_versions (
     name TEXT NOT NULL,
     version INT NOT NULL,
     kek_id TEXT NOT NULL,
     wrapped_key BYTEA NOT NULL,
     ciphertext BYTEA NOT NULL,
     created_at BIGINT NOT NULL,
     PRIMARY KEY (name, version)
   );`,
  `CREATE TABLE k8s_gpu_allocations (
     resource TEXT NOT NULL,
     object_key TEXT NOT NULL,
     team TEXT NOT NULL,
     gpus BIGINT NOT NULL,
     per_replica BIGINT NOT NULL,
     updated_at BIGINT NOT NULL,
     PRIMARY KEY (resource, object_key)
   );
   CREATE INDEX k8s_gpu_allocations_team ON k8s_gpu_allocations(resource, team);
   -- One row per team with its total, locked FOR UPDATE by a reservation: reservations for a team
   -- are serialised across replicas, so two of them can never both fit under the quota the other fills.
   CREATE TABLE k8s_gpu_teams (resource TEXT NOT NULL, team TEXT NOT NULL, gpus BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (resource, team));`,
];

/** Brings the schema up to date; returns the version it is at. */
export async function migrate(db: Db): Promise<number> {
  return db.tx(async (q) => {
    // Waiting for another replica's migration, or running one, may take longer than an
    // ordinary statement is allowed to.
    await q.query(`SET LOCAL statement_timeout = '${MIGRATION_TIMEOUT_MS}'`);
    await q.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`, [], MIGRATION_TIMEOUT_MS + 5000);
    await q.query(`CREATE TABLE IF NOT EXISTS schema_migrations (version INT PRIMARY KEY, applied_at BIGINT NOT NULL)`);
    const { rows } = await q.query<{ v: number }>(`SELECT coalesce(max(version), 0) AS v FROM schema_migrations`);
    const current = rows[0]!.v;
    // A newer replica may have migrated further; later migrations only add, so carry on.
    for (let v = current; v < MIGRATIONS.length; v++) {
      await q.query(MIGRATIONS[v]!, undefined, MIGRATION_TIMEOUT_MS + 5000);
      await q.query(`INSERT INTO schema_migrations(version, applied_at) VALUES ($1, $2)`, [v + 1, Date.now()]);
    }
    return Math.max(current, MIGRATIONS.length);
  });
}
