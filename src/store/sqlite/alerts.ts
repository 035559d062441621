// Alert firings on SQLite: the primary key makes the first claim win.
import type Database from 'better-sqlite3';
import type { AlertStore } from '../ports.js';

export function sqliteAlertStore(db: Database.Database): AlertStore {
  const claim = db.prepare(`INSERT INTO alert_firings(id, claimed_at) VALUES (?, ?) ON CONFLICT(id) DO NOTHING`);
  return {
    async claimAlert(id, now) {
      return claim.run(id, now).changes === 1;
    },
  };
}
