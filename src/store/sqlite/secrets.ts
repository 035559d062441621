// Sealed secrets on SQLite. Every change runs in one IMMEDIATE transaction (so the CLI and the
// gateway, separate processes on one file, serialise on it) and bumps the `secrets` counter that
// gateways poll. Versions are numbered per name from `secret_names`, which outlives a delete, so
// a version number is never reused for another value.
import type Database from 'better-sqlite3';
import { AirlockError } from '../../lib/errors.js';
import type { SecretStore, SecretSummary } from '../ports.js';
import { toSecretVersion as toVersion, type SecretVersionRow as VersionRow } from '../secret-rows.js';

export function sqliteSecretStore(db: Database.Database): SecretStore {
  const bump = db.prepare(`INSERT INTO counters(name, value) VALUES ('secrets', 1) ON CONFLICT(name) DO UPDATE SET value = value + 1`);
  const version = db.prepare(`SELECT value FROM counters WHERE name = 'secrets'`).pluck();
  const current = db.prepare(`SELECT kek_id FROM secrets_kek WHERE id = 1`).pluck();
  const claim = db.prepare(`INSERT INTO secrets_kek(id, kek_id, changed_at) VALUES (1, ?, ?) ON CONFLICT(id) DO NOTHING`);
  const setKek = db.prepare(`INSERT INTO secrets_kek(id, kek_id, changed_at) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET kek_id = excluded.kek_id, changed_at = excluded.changed_at`);
  const nextVersion = db
    .prepare(`INSERT INTO secret_names(name, last_version) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET last_version = last_version + 1 RETURNING last_version`)
    .pluck();
  const insert = db.prepare(
    `INSERT INTO secret_versions(name, version, kek_id, wrapped_key, ciphertext, created_at) VALUES (@name, @version, @kek_id, @wrapped_key, @ciphertext, @created_at)`,
  );
  const newest = db.prepare(`SELECT * FROM secret_versions WHERE name = ? ORDER BY version DESC LIMIT 1`);
  const exact = db.prepare(`SELECT * FROM secret_versions WHERE name = ? AND version = ?`);
  const list = db.prepare(
    `SELECT name, max(version) AS version, count(*) AS versions, min(created_at) AS created_at, max(created_at) AS updated_at
     FROM secret_versions GROUP BY name ORDER BY name`,
  );
  const remove = db.prepare(`DELETE FROM secret_versions WHERE name = ?`);
  const others = db.prepare(`SELECT * FROM secret_versions WHERE kek_id <> ?`);
  const rewrapped = db.prepare(`UPDATE secret_versions SET kek_id = ?, wrapped_key = ? WHERE name = ? AND version = ?`);

  return {
    async currentKek() {
      return (current.get() as string | undefined) ?? undefined;
    },
    async claimKek(kekId, now) {
      return db.transaction(() => {
        claim.run(kekId, now);
        return current.get() as string;
      }).immediate();
    },
    async putSecret(name, seal, now) {
      return db.transaction(() => {
        const kekId = current.get() as string | undefined;
        if (!kekId) throw new AirlockError('internal', 'no key-encryption key has been claimed');
        const v = nextVersion.get(name) as number;
        const sealed = seal(v, kekId);
        insert.run({ name, version: v, kek_id: kekId, wrapped_key: sealed.wrappedKey, ciphertext: sealed.ciphertext, created_at: now });
        bump.run();
        return v;
      }).immediate();
    },
    async getSecret(name, v) {
      const row = (v === undefined ? newest.get(name) : exact.get(name, v)) as VersionRow | undefined;
      return row && toVersion(row);
    },
    async listSecrets() {
      return (list.all() as { name: string; version: number; versions: number; created_at: number; updated_at: number }[]).map(
        (r): SecretSummary => ({ name: r.name, version: r.version, versions: r.versions, createdAt: r.created_at, updatedAt: r.updated_at }),
      );
    },
    async deleteSecret(name) {
      return db.transaction(() => {
        const n = remove.run(name).changes;
        if (n) bump.run();
        return n;
      }).immediate();
    },
    async rotateKek(toKek, rewrap, now) {
      return db.transaction(() => {
        const rows = (others.all(toKek) as VersionRow[]).map(toVersion);
        for (const v of rows) rewrapped.run(toKek, rewrap(v), v.name, v.version);
        setKek.run(toKek, now);
        bump.run();
        return rows.length;
      }).immediate();
    },
    async secretsVersion() {
      return (version.get() as number | undefined) ?? 0;
    },
  };
}
