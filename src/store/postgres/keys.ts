// API keys on PostgreSQL. Only hashes are stored; each change bumps the `keys` counter in the
// same statement (a data-modifying CTE is one atomic statement), so caches on every replica can
// compare one number instead of reloading the table. A change's audit records are appended in its
// transaction.
import type { ApiKeyRecord, KeyStore } from '../ports.js';
import type { Db } from './pool.js';
import { recordedChange } from './recorded-change.js';

interface KeyRow {
  id: string;
  agent: string;
  groups: string[];
  hash: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  on_behalf_of: string | null;
  s3_access_key_id: string | null;
  s3_secret_sealed: string | null;
}

const toRecord = (r: KeyRow): ApiKeyRecord => ({
  id: r.id,
  agent: r.agent,
  groups: r.groups,
  hash: r.hash,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  ...(r.on_behalf_of !== null ? { onBehalfOf: r.on_behalf_of } : {}),
  ...(r.s3_access_key_id !== null && r.s3_secret_sealed !== null ? { s3: { accessKeyId: r.s3_access_key_id, sealedSecret: r.s3_secret_sealed } } : {}),
});

export function pgKeyStore(db: Db): KeyStore {
  return {
    async insertKey(k, records) {
      await recordedChange(db, records && (() => records), async (q) => {
        await q.query(
          `WITH k AS (
             INSERT INTO api_keys(id, agent, groups, hash, created_at, expires_at, revoked_at, on_behalf_of, s3_access_key_id, s3_secret_sealed)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           )
           UPDATE counters SET value = value + 1 WHERE name = 'keys'`,
          [k.id, k.agent, JSON.stringify(k.groups), k.hash, k.createdAt, k.expiresAt, k.revokedAt, k.onBehalfOf ?? null, k.s3?.accessKeyId ?? null, k.s3?.sealedSecret ?? null],
        );
        return k;
      });
    },
    async listKeys() {
      return (await db.query<KeyRow>(`SELECT * FROM api_keys ORDER BY created_at, id`)).rows.map(toRecord);
    },
    async listLiveKeys(now) {
      const { rows } = await db.query<KeyRow>(
        `SELECT * FROM api_keys WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1) ORDER BY created_at, id`,
        [now],
      );
      return rows.map(toRecord);
    },
    async revokeAgentKeys(agent, now, records) {
      const revoked = await recordedChange(db, records, async (q) => {
        const { rows } = await q.query<{ n: number }>(
          `WITH r AS (
             UPDATE api_keys SET revoked_at = $2 WHERE agent = $1 AND revoked_at IS NULL RETURNING 1
           ), bump AS (
             UPDATE counters SET value = value + 1 WHERE name = 'keys' AND EXISTS (SELECT 1 FROM r)
           )
           SELECT count(*) AS n FROM r`,
          [agent, now],
        );
        return rows[0]!.n;
      });
      return revoked ?? 0;
    },
    async keysVersion() {
      const { rows } = await db.query<{ value: number }>(`SELECT value FROM counters WHERE name = 'keys'`);
      return rows[0]?.value ?? 0;
    },
  };
}
