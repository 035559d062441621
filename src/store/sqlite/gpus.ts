// GPU allocations on SQLite. A reservation is one IMMEDIATE transaction: SQLite lets one writer
// in at a time, across processes too, so the sum it reads cannot change before its write.
import type Database from 'better-sqlite3';
import type { GpuAllocation, GpuStore } from '../ports.js';

interface Row {
  resource: string;
  object_key: string;
  team: string;
  gpus: number;
  per_replica: number;
  updated_at: number;
}

const toAllocation = (r: Row): GpuAllocation => ({ resource: r.resource, key: r.object_key, team: r.team, gpus: r.gpus, perReplica: r.per_replica, updatedAt: r.updated_at });

export function sqliteGpuStore(db: Database.Database): GpuStore {
  const inUse = db.prepare(`SELECT coalesce(sum(gpus), 0) FROM k8s_gpu_allocations WHERE resource = ? AND team = ? AND object_key != ?`).pluck();
  const upsert = db.prepare(
    `INSERT INTO k8s_gpu_allocations(resource, object_key, team, gpus, per_replica, updated_at) VALUES (@resource, @key, @team, @gpus, @perReplica, @now)
     ON CONFLICT(resource, object_key) DO UPDATE SET team = excluded.team, gpus = excluded.gpus, per_replica = excluded.per_replica, updated_at = excluded.updated_at`,
  );
  const reconcileOne = db.prepare(
    `INSERT INTO k8s_gpu_allocations(resource, object_key, team, gpus, per_replica, updated_at) VALUES (@resource, @key, @team, @gpus, @perReplica, @now)
     ON CONFLICT(resource, object_key) DO UPDATE SET team = excluded.team, gpus = excluded.gpus, per_replica = excluded.per_replica, updated_at = excluded.updated_at
     WHERE k8s_gpu_allocations.updated_at <= @now`,
  );
  const byKey = db.prepare(`SELECT * FROM k8s_gpu_allocations WHERE resource = ? AND object_key = ?`);
  const release = db.prepare(`DELETE FROM k8s_gpu_allocations WHERE resource = ? AND object_key = ?`);
  const ofResource = db.prepare(`SELECT object_key, updated_at FROM k8s_gpu_allocations WHERE resource = ?`);

  const reserve = db.transaction((a: Parameters<GpuStore['reserveGpus']>[0], now: number) => {
    const used = inUse.get(a.resource, a.team, a.key) as number;
    if (a.quota !== undefined && used + a.gpus > a.quota) return { admitted: false, inUse: used };
    upsert.run({ resource: a.resource, key: a.key, team: a.team, gpus: a.gpus, perReplica: a.perReplica, now });
    return { admitted: true, inUse: used };
  });
  const reconcile = db.transaction((resource: string, listed: Parameters<GpuStore['reconcileGpus']>[1], listedAt: number, graceMs: number) => {
    const keep = new Set(listed.map((l) => l.key));
    for (const r of ofResource.all(resource) as Pick<Row, 'object_key' | 'updated_at'>[]) {
      if (!keep.has(r.object_key) && r.updated_at < listedAt - graceMs) release.run(resource, r.object_key);
    }
    for (const l of listed) reconcileOne.run({ resource, key: l.key, team: l.team, gpus: l.gpus, perReplica: l.perReplica, now: listedAt });
  });

  return {
    async reserveGpus(a, now) {
      return reserve.immediate(a, now);
    },
    async gpusInUse(resource, team, exceptKey = '') {
      return inUse.get(resource, team, exceptKey) as number;
    },
    async gpuAllocation(resource, key) {
      const row = byKey.get(resource, key) as Row | undefined;
      return row && toAllocation(row);
    },
    async releaseGpus(resource, key) {
      release.run(resource, key);
    },
    async reconcileGpus(resource, listed, listedAt, graceMs) {
      reconcile.immediate(resource, listed, listedAt, graceMs);
    },
  };
}
