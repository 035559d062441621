// Policy bundles on SQLite: every bundle ever activated, kept by version, and the one active row
// that every process polls. An activation reads the active version and writes inside one
// IMMEDIATE transaction, so two processes activating at once against the same expected version
// cannot both win.
import type Database from 'better-sqlite3';
import type { BundleStore, StoredBundle } from '../ports.js';

interface ActiveRow {
  version: string;
  files: string;
  activated_at: number;
  source: string;
}

export function sqliteBundleStore(db: Database.Database): BundleStore {
  const activeVersion = db.prepare(`SELECT version FROM active_bundle WHERE id = 1`).pluck();
  const active = db.prepare(
    `SELECT a.version, b.files, a.activated_at, a.source FROM active_bundle a JOIN policy_bundles b ON b.version = a.version WHERE a.id = 1`,
  );
  const known = db.prepare(`SELECT 1 FROM policy_bundles WHERE version = ?`).pluck();
  const record = db.prepare(
    `INSERT INTO policy_bundles(version, files, first_activated_at) VALUES (@version, @files, @now) ON CONFLICT(version) DO NOTHING`,
  );
  const makeActive = db.prepare(
    `INSERT INTO active_bundle(id, version, activated_at, source) VALUES (1, @version, @now, @source)
     ON CONFLICT(id) DO UPDATE SET version = excluded.version, activated_at = excluded.activated_at, source = excluded.source
     WHERE active_bundle.version <> excluded.version`,
  );

  const activate = db.transaction(
    (bundle: { version: string; files: Readonly<Record<string, string>>; source: string }, now: number, expected: string | null | undefined) => {
      const current = (activeVersion.get() as string | undefined) ?? null;
      if (expected !== undefined && current !== expected) return false;
      record.run({ version: bundle.version, files: JSON.stringify(bundle.files), now });
      makeActive.run({ version: bundle.version, now, source: bundle.source });
      return true;
    },
  );

  return {
    async activateBundle(bundle, now, expectedActive) {
      return activate.immediate(bundle, now, expectedActive);
    },
    async activeBundle(): Promise<StoredBundle | undefined> {
      const row = active.get() as ActiveRow | undefined;
      return (
        row && {
          version: row.version,
          files: JSON.parse(row.files) as Record<string, string>,
          activated_at: new Date(row.activated_at).toISOString(),
          source: row.source,
        }
      );
    },
    async activeBundleVersion() {
      return activeVersion.get() as string | undefined;
    },
    async knownBundleVersion(version) {
      return known.get(version) !== undefined;
    },
  };
}
