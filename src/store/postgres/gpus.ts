// GPU allocations on PostgreSQL. Each team has one row holding its total; a reservation locks it
// (created on first use) for the length of its transaction, so reservations for one team are
// served one at a time across every replica: the total each reads is the total at its write, and
// the quota cannot be overrun by two admissions at once. The total is changed in the same
// transaction as the allocations, so an admission reads one row instead of summing a team's objects.
import { toAllocation, type GpuRow } from '../gpu-row.js';
import type { GpuStore } from '../ports.js';
import type { Db, Queryable } from './pool.js';


const UPSERT = `INSERT INTO k8s_gpu_allocations(resource, object_key, team, gpus, per_replica, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (resource, object_key) DO UPDATE SET team = excluded.team, gpus = excluded.gpus, per_replica = excluded.per_replica, updated_at = excluded.updated_at`;
const ADD_TO_TEAM = `INSERT INTO k8s_gpu_teams(resource, team, gpus) VALUES ($1, $2, $3) ON CONFLICT (resource, team) DO UPDATE SET gpus = k8s_gpu_teams.gpus + excluded.gpus`;

async function held(q: Queryable, resource: string, key: string): Promise<GpuRow | undefined> {
  return (await q.query<GpuRow>(`SELECT * FROM k8s_gpu_allocations WHERE resource = $1 AND object_key = $2`, [resource, key])).rows[0];
}

async function othersInTeam(q: Queryable, resource: string, team: string, key: string): Promise<number> {
  const total = (await q.query<{ gpus: number }>(`SELECT gpus FROM k8s_gpu_teams WHERE resource = $1 AND team = $2`, [resource, team])).rows[0]?.gpus ?? 0;
  const own = await held(q, resource, key);
  return total - (own && own.team === team ? own.gpus : 0);
}

async function release(q: Queryable, resource: string, key: string): Promise<void> {
  const gone = (await q.query<GpuRow>(`DELETE FROM k8s_gpu_allocations WHERE resource = $1 AND object_key = $2 RETURNING *`, [resource, key])).rows[0];
  if (gone) await q.query(ADD_TO_TEAM, [resource, gone.team, -gone.gpus]);
}

export function pgGpuStore(db: Db): GpuStore {
  return {
    async reserveGpus(a, now) {
      return db.tx(async (q) => {
        await q.query(`INSERT INTO k8s_gpu_teams(resource, team, gpus) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING`, [a.resource, a.team]);
        await q.query(`SELECT 1 FROM k8s_gpu_teams WHERE resource = $1 AND team = $2 FOR UPDATE`, [a.resource, a.team]);
        const used = await othersInTeam(q, a.resource, a.team, a.key);
        if (a.quota !== undefined && used + a.gpus > a.quota) return { admitted: false, inUse: used };
        await release(q, a.resource, a.key);
        await q.query(UPSERT, [a.resource, a.key, a.team, a.gpus, a.perReplica, now]);
        await q.query(ADD_TO_TEAM, [a.resource, a.team, a.gpus]);
        return { admitted: true, inUse: used };
      });
    },
    async gpusInUse(resource, team, exceptKey = '') {
      return othersInTeam(db, resource, team, exceptKey);
    },
    async gpuAllocation(resource, key) {
      const r = await held(db, resource, key);
      return r && toAllocation(r);
    },
    async releaseGpus(resource, key) {
      await db.tx((q) => release(q, resource, key));
    },
    async reconcileGpus(resource, listed, listedAt, graceMs) {
      await db.tx(async (q) => {
        // Every team row of the cluster is locked first (in a fixed order), so no reservation
        // runs while the totals are recounted.
        await q.query(`SELECT 1 FROM k8s_gpu_teams WHERE resource = $1 ORDER BY team FOR UPDATE`, [resource]);
        await q.query(
          `DELETE FROM k8s_gpu_allocations WHERE resource = $1 AND updated_at < $2 AND NOT (object_key = ANY($3::text[]))`,
          [resource, listedAt - graceMs, listed.map((l) => l.key)],
        );
        for (const l of listed) {
          await q.query(`${UPSERT} WHERE k8s_gpu_allocations.updated_at <= $6`, [resource, l.key, l.team, l.gpus, l.perReplica, listedAt]);
        }
        await q.query(`UPDATE k8s_gpu_teams SET gpus = 0 WHERE resource = $1`, [resource]);
        await q.query(
          `INSERT INTO k8s_gpu_teams(resource, team, gpus) SELECT resource, team, sum(gpus) FROM k8s_gpu_allocations WHERE resource = $1 GROUP BY resource, team
           ON CONFLICT (resource, team) DO UPDATE SET gpus = excluded.gpus`,
          [resource],
        );
      });
    },
  };
}
