// Model token counts per principal and day on PostgreSQL: one upsert per batch, so replicas add
// to the same row without reading it first.
import type { UsageStore } from '../ports.js';
import type { Db } from './pool.js';

export function pgUsageStore(db: Db): UsageStore {
  return {
    async addTokens(entries) {
      if (!entries.length) return;
      await db.query(
        `INSERT INTO token_usage(principal, day, tokens)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
         ON CONFLICT (principal, day) DO UPDATE SET tokens = token_usage.tokens + excluded.tokens`,
        [entries.map((e) => e.principal), entries.map((e) => e.day), entries.map((e) => e.tokens)],
      );
    },
    async tokensOn(principal, day) {
      const r = await db.query<{ tokens: string }>(`SELECT tokens FROM token_usage WHERE principal = $1 AND day = $2`, [principal, day]);
      return r.rows[0] ? Number(r.rows[0].tokens) : 0;
    },
  };
}
