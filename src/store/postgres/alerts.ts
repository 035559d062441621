// Alert firings on PostgreSQL: the primary key makes the first claim win, on any replica.
import type { AlertStore } from '../ports.js';
import type { Db } from './pool.js';

export function pgAlertStore(db: Db): AlertStore {
  return {
    async claimAlert(id, now) {
      return ((await db.query(`INSERT INTO alert_firings(id, claimed_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, [id, now])).rowCount ?? 0) === 1;
    },
  };
}
