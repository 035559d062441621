// GPU allocations on PostgreSQL. A reservation locks its team's row (created on first use) for the
// length of its transaction, so reservations for one team are served one at a time across every
// replica: the sum each reads is the sum at its write, and the quota cannot be overrun by two
// admissions at once. Releases only lower a sum, so they take no lock.
import type { GpuAllocation, GpuStore } from '../ports.js';
import type { Db } from './pool.js';

interface Row {
  resource: string;
  object_key: string;
  team: string;
  gpus: number;
  per_replica: number;
  updated_at: number;
}

const UPSERT = `INSERT INTO k8s_gpu_allocations(resource, object_key, team, gpus, per_replica, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (resource, object_key) DO UPDATE SET team = excluded.team, gpus = excluded.gpus, per_replica = excluded.per_replica, updated_at = excluded.updated_at`;
const IN_USE = `SELECT coalesce(sum(gpus), 0)::bigint AS n FROM k8s_gpu_allocations WHERE resource = $1 AND team = $2 AND object_key != $3`;

export function pgGpuStore(db: Db): GpuStore {
  return {
    async reserveGpus(a, now) {
      return db.tx(async (q) => {
        await q.query(`INSERT INTO k8s_gpu_teams(resource, team) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [a.resource, a.team]);
        await q.query(`SELECT 1 FROM k8s_gpu_teams WHERE resource = $1 AND team = $2 FOR UPDATE`, [a.resource, a.team]);
        const used = Number((await q.query<{ n: number }>(IN_USE, [a.resource, a.team, a.key])).rows[0]!.n);
        if (a.quota !== undefined && used + a.gpus > a.quota) return { admitted: false, inUse: used };
        await q.query(UPSERT, [a.resource, a.key, a.team, a.gpus, a.perReplica, now]);
        return { admitted: true, inUse: used };
      });
    },
    async gpusInUse(resource, team, exceptKey = '') {
      return Number((await db.query<{ n: number }>(IN_USE, [resource, team, exceptKey])).rows[0]!.n);
    },
    async gpuAllocation(resource, key) {
      const r = (await db.query<Row>(`SELECT * FROM k8s_gpu_allocations WHERE resource = $1 AND object_key = $2`, [resource, key])).rows[0];
      return r && ({ resource: r.resource, key: r.object_key, team: r.team, gpus: r.gpus, perReplica: r.per_replica, updatedAt: r.updated_at } satisfies GpuAllocation);
    },
    async releaseGpus(resource, key) {
      await db.query(`DELETE FROM k8s_gpu_allocations WHERE resource = $1 AND object_key = $2`, [resource, key]);
    },
    async reconcileGpus(resource, listed, listedAt, graceMs) {
      await db.tx(async (q) => {
        await q.query(
          `DELETE FROM k8s_gpu_allocations WHERE resource = $1 AND updated_at < $2 AND NOT (object_key = ANY($3::text[]))`,
          [resource, listedAt - graceMs, listed.map((l) => l.key)],
        );
        for (const l of listed) {
          await q.query(`${UPSERT} WHERE k8s_gpu_allocations.updated_at <= $6`, [resource, l.key, l.team, l.gpus, l.perReplica, listedAt]);
        }
      });
    },
  };
}
