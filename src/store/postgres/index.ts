// The shared store: PostgreSQL behind a connection pool, for running several Airlock replicas.
// Opening it migrates the schema (safely, with replicas starting at once) and starts the
// LISTEN/NOTIFY change feed. A PostgreSQL restart never takes the process down: queries during
// the outage reject with store_unavailable, and the same Store works again once the server is back.
import type { Store } from '../ports.js';
import { pgApprovalStore } from './approvals.js';
import { pgAuditStore } from './audit.js';
import { pgBundleStore } from './bundles.js';
import { pgChangeFeed } from './change-feed.js';
import { pgGrantStore } from './grants.js';
import { pgKeyStore } from './keys.js';
import { pgUsageStore } from './usage.js';
import { pgAlertStore } from './alerts.js';
import { pgToolPinStore } from './tool-pins.js';
import { pgSecretStore } from './secrets.js';
import { pgGpuStore } from './gpus.js';
import { migrate } from './migrations.js';
import { createDb, type ErrorReporter } from './pool.js';
import { errorMessage } from '../../lib/errors.js';

export interface PostgresStoreOptions {
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
  /** Where survivable errors go (lost connections, a failed notification); default: a process warning. */
  readonly onError?: ErrorReporter;
}

const PING_TIMEOUT_MS = 1000;

const warn: ErrorReporter = (err, context) =>
  process.emitWarning(`postgres store: ${context}: ${errorMessage(err)}`, 'AirlockStoreWarning');

export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  const report = opts.onError ?? warn;
  const db = createDb(url, opts.poolSize ?? 10, report);
  let changes;
  try {
    await migrate(db);
    changes = await pgChangeFeed(url, db, report);
  } catch (err) {
    await db.end().catch(() => {});
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    changes,
    keys: pgKeyStore(db),
    audit: pgAuditStore(db),
    approvals: pgApprovalStore(db),
    grants: pgGrantStore(db),
    bundles: pgBundleStore(db),
    usage: pgUsageStore(db),
    alerts: pgAlertStore(db),
    toolPins: pgToolPinStore(db),
    secrets: pgSecretStore(db),
    gpus: pgGpuStore(db),
    async ping() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, PING_TIMEOUT_MS, false)));
      const answer = db.query('SELECT 1').then(
        () => true,
        () => false,
      );
      try {
        return await Promise.race([answer, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      // Idle sockets are unref'd (so a forgotten close cannot hold a CLI open); a ref'd timer
      // keeps the process alive until they have actually said goodbye.
      if (!closing) {
        const hold = setInterval(() => {}, 1000);
        closing = Promise.all([changes.close(), db.end()]).then(() => undefined).finally(() => clearInterval(hold));
      }
      return closing;
    },
  };
}
