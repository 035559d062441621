// Sealed secrets on PostgreSQL. Puts and rotations lock the one `secrets_kek` row first, so a put
// always seals under the KEK that is current when it commits and a rotation sees every version;
// each change bumps the `secrets` counter that replicas poll beside the change feed. Versions are
// numbered per name from `secret_names`, which outlives a delete, so a number is never reused.
import { AirlockError } from '../../lib/errors.js';
import type { SecretStore } from '../ports.js';
import { toSecretVersion as toVersion, type SecretVersionRow as VersionRow } from '../secret-rows.js';
import type { Db, Queryable } from './pool.js';

const bump = (q: Queryable) => q.query(`UPDATE counters SET value = value + 1 WHERE name = 'secrets'`);

async function lockedKek(q: Queryable): Promise<string | null> {
  return (await q.query<{ kek_id: string | null }>(`SELECT kek_id FROM secrets_kek WHERE id = 1 FOR UPDATE`)).rows[0]!.kek_id;
}

export function pgSecretStore(db: Db): SecretStore {
  return {
    async currentKek() {
      return (await db.query<{ kek_id: string | null }>(`SELECT kek_id FROM secrets_kek WHERE id = 1`)).rows[0]?.kek_id ?? undefined;
    },
    async claimKek(kekId, now) {
      const { rows } = await db.query<{ kek_id: string }>(
        `UPDATE secrets_kek SET kek_id = coalesce(kek_id, $1), changed_at = coalesce(changed_at, $2) WHERE id = 1 RETURNING kek_id`,
        [kekId, now],
      );
      return rows[0]!.kek_id;
    },
    async putSecret(name, seal, now) {
      return db.tx(async (q) => {
        const kekId = await lockedKek(q);
        if (!kekId) throw new AirlockError('internal', 'no key-encryption key has been claimed');
        const { rows } = await q.query<{ last_version: number }>(
          `INSERT INTO secret_names(name, last_version) VALUES ($1, 1) ON CONFLICT (name) DO UPDATE SET last_version = secret_names.last_version + 1 RETURNING last_version`,
          [name],
        );
        const version = rows[0]!.last_version;
        const sealed = seal(version, kekId);
        await q.query(
          `INSERT INTO secret_versions(name, version, kek_id, wrapped_key, ciphertext, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
          [name, version, kekId, sealed.wrappedKey, sealed.ciphertext, now],
        );
        await bump(q);
        return version;
      });
    },
    async getSecret(name, version) {
      const { rows } =
        version === undefined
          ? await db.query<VersionRow>(`SELECT * FROM secret_versions WHERE name = $1 ORDER BY version DESC LIMIT 1`, [name])
          : await db.query<VersionRow>(`SELECT * FROM secret_versions WHERE name = $1 AND version = $2`, [name, version]);
      return rows[0] && toVersion(rows[0]);
    },
    async listSecrets() {
      const { rows } = await db.query<{ name: string; version: number; versions: number; created_at: number; updated_at: number }>(
        `SELECT name, max(version) AS version, count(*)::int AS versions, min(created_at) AS created_at, max(created_at) AS updated_at
         FROM secret_versions GROUP BY name ORDER BY name COLLATE "C"`,
      );
      return rows.map((r) => ({ name: r.name, version: r.version, versions: r.versions, createdAt: r.created_at, updatedAt: r.updated_at }));
    },
    async deleteSecret(name) {
      return db.tx(async (q) => {
        const { rowCount } = await q.query(`DELETE FROM secret_versions WHERE name = $1`, [name]);
        if (rowCount) await bump(q);
        return rowCount ?? 0;
      });
    },
    async rotateKek(toKek, rewrap, now) {
      return db.tx(async (q) => {
        await lockedKek(q);
        const { rows } = await q.query<VersionRow>(`SELECT * FROM secret_versions WHERE kek_id <> $1 ORDER BY name, version FOR UPDATE`, [toKek]);
        for (const v of rows.map(toVersion)) {
          await q.query(`UPDATE secret_versions SET kek_id = $1, wrapped_key = $2 WHERE name = $3 AND version = $4`, [toKek, rewrap(v), v.name, v.version]);
        }
        await q.query(`UPDATE secrets_kek SET kek_id = $1, changed_at = $2 WHERE id = 1`, [toKek, now]);
        await bump(q);
        return rows.length;
      });
    },
    async secretsVersion() {
      const { rows } = await db.query<{ value: number }>(`SELECT value FROM counters WHERE name = 'secrets'`);
      return rows[0]?.value ?? 0;
    },
  };
}
