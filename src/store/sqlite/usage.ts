// Model token counts per principal and day on SQLite.
import type Database from 'better-sqlite3';
import type { UsageStore } from '../ports.js';
import { writeWithoutBlocking } from './write-without-blocking.js';

export function sqliteUsageStore(db: Database.Database): UsageStore {
  const add = db.prepare(
    `INSERT INTO token_usage(principal, day, tokens) VALUES (?, ?, ?)
     ON CONFLICT(principal, day) DO UPDATE SET tokens = tokens + excluded.tokens`,
  );
  const read = db.prepare(`SELECT tokens FROM token_usage WHERE principal = ? AND day = ?`).pluck();
  const addAll = db.transaction((entries: Parameters<UsageStore['addTokens']>[0]) => {
    for (const e of entries) add.run(e.principal, e.day, e.tokens);
  });
  return {
    async addTokens(entries) {
      await writeWithoutBlocking(db, () => addAll.immediate(entries));
    },
    async tokensOn(principal, day) {
      return (read.get(principal, day) as number | undefined) ?? 0;
    },
  };
}
