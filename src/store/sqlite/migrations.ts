// Versioned schema for the embedded store. Each entry runs once, in order, inside a transaction;
// `PRAGMA user_version` records how far a database has come.
import type Database from 'better-sqlite3';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     agent TEXT NOT NULL,
     groups_json TEXT NOT NULL,
     hash TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL,
     expires_at INTEGER,
     revoked_at INTEGER
   );
   CREATE INDEX api_keys_agent ON api_keys(agent);
   CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
   CREATE TABLE audit_records (seq INTEGER PRIMARY KEY, line TEXT NOT NULL);
   CREATE TABLE audit_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
   CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL, edges TEXT NOT NULL);
   CREATE TABLE audit_checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL, created_at INTEGER NOT NULL);
   CREATE TABLE sink_cursors (sink TEXT PRIMARY KEY, seq INTEGER NOT NULL, updated_at INTEGER NOT NULL);`,
  `CREATE TABLE approvals (
     id TEXT PRIMARY KEY,
     status TEXT NOT NULL,
     fingerprint TEXT NOT NULL,
     quorum INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     decided_at INTEGER,
     used_at INTEGER,
     data TEXT NOT NULL
   );
   CREATE INDEX approvals_pending ON approvals(fingerprint, status);
   CREATE INDEX approvals_status ON approvals(status, expires_at);
   CREATE TABLE approval_votes (
     approval_id TEXT NOT NULL REFERENCES approvals(id),
     approver TEXT NOT NULL,
     vote TEXT NOT NULL,
     data TEXT NOT NULL,
     seq INTEGER NOT NULL,
     PRIMARY KEY (approval_id, approver)
   );
   CREATE TABLE grants (
     id TEXT PRIMARY KEY,
     principal TEXT NOT NULL,
     grp TEXT NOT NULL,
     status TEXT NOT NULL,
     approval_id TEXT,
     starts_at INTEGER,
     expires_at INTEGER,
     data TEXT NOT NULL
   );
   CREATE INDEX grants_active ON grants(status, expires_at);
   CREATE INDEX grants_approval ON grants(approval_id);`,
  `CREATE TABLE policy_bundles (
     version TEXT PRIMARY KEY,
     files TEXT NOT NULL,
     first_activated_at INTEGER NOT NULL
   );
   CREATE TABLE active_bundle (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     version TEXT NOT NULL REFERENCES policy_bundles(version),
     activated_at INTEGER NOT NULL,
     source TEXT NOT NULL
   );`,
  `CREATE TABLE token_usage (
     principal TEXT NOT NULL,
     day TEXT NOT NULL,
     tokens INTEGER NOT NULL,
     PRIMARY KEY (principal, day)
   ) WITHOUT ROWID;`,
  `CREATE TABLE alert_firings (id TEXT PRIMARY KEY, claimed_at INTEGER NOT NULL);`,
  // MCP tool pinning, and API keys that act on behalf of a user (delegation).
  `CREATE TABLE tool_pins (
     resource TEXT NOT NULL,
     tool TEXT NOT NULL,
     digest TEXT,
     pending_digest TEXT,
     pending_definition TEXT,
     first_seen_at INTEGER NOT NULL,
     changed_at INTEGER,
     accepted_at INTEGER,
     accepted_by TEXT,
     PRIMARY KEY (resource, tool)
   );
   ALTER TABLE api_keys ADD COLUMN on_behalf_of TEXT;`,
  `ALTER TABLE api_keys ADD COLUMN s3_access_key_id TEXT;
   ALTER TABLE api_keys ADD COLUMN s3_secret_sealed TEXT;
   CREATE UNIQUE INDEX api_keys_s3_access_key_id ON api_keys(s3_access_key_id);`,
  // Each audit writer's last committed batch: a batch sent again is recognised, not appended twice.
  `CREATE TABLE audit_batches (
     writer TEXT PRIMARY KEY,
     batch INTEGER NOT NULL,
     first_seq INTEGER NOT NULL,
     count INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );`,
  `CREATE TABLE secrets_kek (id INTEGER PRIMARY KEY CHECK (id = 1), kek_id TEXT NOT NULL, changed_at INTEGER NOT NULL);
   CREATE TABLE secret_names (name TEXT PRIMARY KEY, last_version INTEGER NOT NULL);
   CREATE TABLE secret_versions (
     name TEXT NOT NULL,
     version INTEGER NOT NULL,
     kek_id TEXT NOT NULL,
     wrapped_key BLOB NOT NULL,
     ciphertext BLOB NOT NULL,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (name, version)
   ) WITHOUT ROWID;`,
  `CREATE TABLE k8s_gpu_allocations (
     resource TEXT NOT NULL,
     object_key TEXT NOT NULL,
     team TEXT NOT NULL,
     gpus INTEGER NOT NULL,
     per_replica INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (resource, object_key)
   ) WITHOUT ROWID;
   CREATE INDEX k8s_gpu_allocations_team ON k8s_gpu_allocations(resource, team);
   CREATE TABLE k8s_gpu_teams (resource TEXT NOT NULL, team TEXT NOT NULL, gpus INTEGER NOT NULL, PRIMARY KEY (resource, team)) WITHOUT ROWID;`,
];

/**
 * Each step re-reads the version inside its IMMEDIATE transaction: several processes opening a new
 * database at once (workers, a CLI beside the gateway) each apply a step only if nobody has yet.
 */
export function migrate(db: Database.Database): void {
  for (let v = MIGRATIONS.length; ; ) {
    const applied = db
      .transaction(() => {
        const current = db.pragma('user_version', { simple: true }) as number;
        if (current >= MIGRATIONS.length) return false;
        db.exec(MIGRATIONS[current]!);
        db.pragma(`user_version = ${current + 1}`);
        return true;
      })
      .immediate();
    if (!applied || --v < 0) return;
  }
}
