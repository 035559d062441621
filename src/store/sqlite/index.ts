// The embedded store: one SQLite file in WAL mode, shared safely by the gateway and CLI processes.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { localChangeFeed } from '../local-change-feed.js';
import type { Store } from '../ports.js';
import { sqliteApprovalStore } from './approvals.js';
import { sqliteAuditStore } from './audit.js';
import { sqliteBundleStore } from './bundles.js';
import { sqliteGrantStore } from './grants.js';
import { sqliteKeyStore } from './keys.js';
import { sqliteUsageStore } from './usage.js';
import { sqliteAlertStore } from './alerts.js';
import { sqliteGpuStore } from './gpus.js';
import { migrate } from './migrations.js';

export function openSqliteStore(file: string): Store {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a process crash (the case strict audit guards against); only an
  // OS crash or power loss can drop the last commits. FULL costs an fsync per batch.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return {
    changes: localChangeFeed(),
    keys: sqliteKeyStore(db),
    audit: sqliteAuditStore(db),
    approvals: sqliteApprovalStore(db),
    grants: sqliteGrantStore(db),
    bundles: sqliteBundleStore(db),
    usage: sqliteUsageStore(db),
    alerts: sqliteAlertStore(db),
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
      if (db.open) db.close();
    },
  };
}
