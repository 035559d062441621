// The embedded store: one SQLite file in WAL mode, shared safely by the gateway and CLI processes.
// It holds the audit log (contexts, captured bodies), approvals and key hashes, so a new file and
// its directory are private to the owner, like the signing key (SQLite gives its -wal and -shm
// files the database file's mode).
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { localChangeFeed } from '../local-change-feed.js';
import type { Store } from '../ports.js';
import { sqliteApprovalStore } from './approvals.js';
import { sqliteAuditAppend, sqliteAuditStore } from './audit.js';
import { sqliteBundleStore } from './bundles.js';
import { sqliteGrantStore } from './grants.js';
import { sqliteKeyStore } from './keys.js';
import { sqliteUsageStore } from './usage.js';
import { sqliteAlertStore } from './alerts.js';
import { sqliteToolPinStore } from './tool-pins.js';
import { sqliteSecretStore } from './secrets.js';
import { sqliteGpuStore } from './gpus.js';
import { migrate } from './migrations.js';
import { BUSY_TIMEOUT_MS } from './write-without-blocking.js';
import { BACKSTOP_CHECKPOINT_PAGES, startWalCheckpointer } from './wal-checkpointer.js';

export interface SqliteStoreOptions {
  /** Checkpoint the WAL from a thread of its own (a gateway), not inside commits; told if that thread fails. */
  readonly backgroundCheckpoints?: { readonly onError: (message: string) => void };
}

export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Store {
  if (file !== ':memory:') {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    closeSync(openSync(file, 'a', 0o600)); // an existing file keeps the mode its operator gave it
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a process crash (the case strict audit guards against); only an
  // OS crash or power loss can drop the last commits. FULL costs an fsync per batch.
  db.pragma('synchronous = NORMAL');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
  migrate(db);
  const checkpoints = options.backgroundCheckpoints && file !== ':memory:' ? startWalCheckpointer(file, options.backgroundCheckpoints.onError) : undefined;
  const append = sqliteAuditAppend(db);
  return {
    changes: localChangeFeed(),
    keys: sqliteKeyStore(db, append),
    audit: sqliteAuditStore(db, append),
    approvals: sqliteApprovalStore(db, append),
    grants: sqliteGrantStore(db, append),
    bundles: sqliteBundleStore(db),
    usage: sqliteUsageStore(db),
    alerts: sqliteAlertStore(db),
    toolPins: sqliteToolPinStore(db),
    secrets: sqliteSecretStore(db),
    gpus: sqliteGpuStore(db),
    async ping() {
      try {
        db.prepare('SELECT 1').get();
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await checkpoints?.stop();
      if (db.open) db.close();
    },
  };
}
