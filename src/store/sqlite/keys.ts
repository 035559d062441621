// API keys on SQLite. Only hashes are stored; a counter row lets caches notice any change cheaply.
// A change's audit records are appended in its transaction.
import type Database from 'better-sqlite3';
import type { ApiKeyRecord, KeyStore } from '../ports.js';
import type { SqliteAppend } from './audit.js';
import { recordedChange } from './recorded-change.js';

interface KeyRow {
  id: string;
  agent: string;
  groups_json: string;
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
  groups: JSON.parse(r.groups_json) as string[],
  hash: r.hash,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  ...(r.on_behalf_of !== null ? { onBehalfOf: r.on_behalf_of } : {}),
  ...(r.s3_access_key_id !== null && r.s3_secret_sealed !== null ? { s3: { accessKeyId: r.s3_access_key_id, sealedSecret: r.s3_secret_sealed } } : {}),
});

export function sqliteKeyStore(db: Database.Database, append: SqliteAppend): KeyStore {
  const bump = db.prepare(
    `INSERT INTO counters(name, value) VALUES ('keys', 1) ON CONFLICT(name) DO UPDATE SET value = value + 1`,
  );
  const insert = db.prepare(
    `INSERT INTO api_keys(id, agent, groups_json, hash, created_at, expires_at, revoked_at, on_behalf_of, s3_access_key_id, s3_secret_sealed)
     VALUES (@id, @agent, @groups_json, @hash, @created_at, @expires_at, @revoked_at, @on_behalf_of, @s3_access_key_id, @s3_secret_sealed)`,
  );
  const all = db.prepare(`SELECT * FROM api_keys ORDER BY created_at, id`);
  const live = db.prepare(
    `SELECT * FROM api_keys WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at`,
  );
  const revoke = db.prepare(
    `UPDATE api_keys SET revoked_at = @now WHERE agent = @agent AND revoked_at IS NULL`,
  );
  const version = db.prepare(`SELECT value FROM counters WHERE name = 'keys'`).pluck();
  const add = recordedChange(db, append, (k: ApiKeyRecord): ApiKeyRecord => {
    insert.run({
      id: k.id,
      agent: k.agent,
      groups_json: JSON.stringify(k.groups),
      hash: k.hash,
      created_at: k.createdAt,
      expires_at: k.expiresAt,
      revoked_at: k.revokedAt,
      on_behalf_of: k.onBehalfOf ?? null,
      s3_access_key_id: k.s3?.accessKeyId ?? null,
      s3_secret_sealed: k.s3?.sealedSecret ?? null,
    });
    bump.run();
    return k;
  });
  const revokeAll = recordedChange(db, append, (agent: string, now: number): number => {
    const changes = revoke.run({ agent, now }).changes;
    if (changes) bump.run();
    return changes;
  });

  return {
    async insertKey(k, records) {
      add(records && (() => records), k);
    },
    async listKeys() {
      return (all.all() as KeyRow[]).map(toRecord);
    },
    async listLiveKeys(now) {
      return (live.all(now) as KeyRow[]).map(toRecord);
    },
    async revokeAgentKeys(agent, now, records) {
      return revokeAll(records, agent, now) ?? 0;
    },
    async keysVersion() {
      return (version.get() as number | undefined) ?? 0;
    },
  };
}
