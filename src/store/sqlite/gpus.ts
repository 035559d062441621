// GPU allocations on SQLite. Each team's total is kept beside the allocations and changed in the
// same transaction, so an admission reads one row, not a sum over every object the team holds. A
// reservation is one IMMEDIATE transaction: SQLite lets one writer in at a time, across processes
// too, so the total it reads cannot change before its write.
import type Database from 'better-sqlite3';
import { toAllocation, type GpuRow } from '../gpu-row.js';
import type { GpuStore } from '../ports.js';
import { writeWithoutBlocking } from './write-without-blocking.js';


export function sqliteGpuStore(db: Database.Database): GpuStore {
  const teamTotal = db.prepare(`SELECT gpus FROM k8s_gpu_teams WHERE resource = ? AND team = ?`).pluck();
  const addToTeam = db.prepare(
    `INSERT INTO k8s_gpu_teams(resource, team, gpus) VALUES (?, ?, ?) ON CONFLICT(resource, team) DO UPDATE SET gpus = gpus + excluded.gpus`,
  );
  const upsert = db.prepare(
    `INSERT INTO k8s_gpu_allocations(resource, object_key, team, gpus, per_replica, updated_at) VALUES (@resource, @key, @team, @gpus, @perReplica, @now)
     ON CONFLICT(resource, object_key) DO UPDATE SET team = excluded.team, gpus = excluded.gpus, per_replica = excluded.per_replica, updated_at = excluded.updated_at`,
  );
  const byKey = db.prepare(`SELECT * FROM k8s_gpu_allocations WHERE resource = ? AND object_key = ?`);
  const remove = db.prepare(`DELETE FROM k8s_gpu_allocations WHERE resource = ? AND object_key = ?`);
  const ofResource = db.prepare(`SELECT object_key, updated_at FROM k8s_gpu_allocations WHERE resource = ?`);
  const clearTeams = db.prepare(`DELETE FROM k8s_gpu_teams WHERE resource = ?`);
  const recountTeams = db.prepare(`INSERT INTO k8s_gpu_teams(resource, team, gpus) SELECT resource, team, sum(gpus) FROM k8s_gpu_allocations WHERE resource = ? GROUP BY resource, team`);

  const held = (resource: string, key: string) => byKey.get(resource, key) as GpuRow | undefined;
  const othersInTeam = (resource: string, team: string, key: string) => {
    const own = held(resource, key);
    return ((teamTotal.get(resource, team) as number | undefined) ?? 0) - (own && own.team === team ? own.gpus : 0);
  };
  const release = (resource: string, key: string) => {
    const own = held(resource, key);
    if (!own) return;
    remove.run(resource, key);
    addToTeam.run(resource, own.team, -own.gpus);
  };

  const releaseOne = db.transaction((resource: string, key: string) => release(resource, key));
  const reserve = db.transaction((a: Parameters<GpuStore['reserveGpus']>[0], now: number) => {
    const used = othersInTeam(a.resource, a.team, a.key);
    if (a.quota !== undefined && used + a.gpus > a.quota) return { admitted: false, inUse: used };
    release(a.resource, a.key);
    upsert.run({ resource: a.resource, key: a.key, team: a.team, gpus: a.gpus, perReplica: a.perReplica, now });
    addToTeam.run(a.resource, a.team, a.gpus);
    return { admitted: true, inUse: used };
  });
  const reconcile = db.transaction((resource: string, listed: Parameters<GpuStore['reconcileGpus']>[1], listedAt: number, graceMs: number) => {
    const keep = new Set(listed.map((l) => l.key));
    for (const r of ofResource.all(resource) as Pick<GpuRow, 'object_key' | 'updated_at'>[]) {
      if (!keep.has(r.object_key) && r.updated_at < listedAt - graceMs) remove.run(resource, r.object_key);
    }
    for (const l of listed) {
      const own = held(resource, l.key);
      if (!own || own.updated_at <= listedAt) upsert.run({ resource, key: l.key, team: l.team, gpus: l.gpus, perReplica: l.perReplica, now: listedAt });
    }
    clearTeams.run(resource);
    recountTeams.run(resource);
  });

  return {
    async reserveGpus(a, now) {
      return writeWithoutBlocking(db, () => reserve.immediate(a, now));
    },
    async gpusInUse(resource, team, exceptKey = '') {
      return othersInTeam(resource, team, exceptKey);
    },
    async gpuAllocation(resource, key) {
      const row = held(resource, key);
      return row && toAllocation(row);
    },
    async releaseGpus(resource, key) {
      await writeWithoutBlocking(db, () => releaseOne.immediate(resource, key));
    },
    async reconcileGpus(resource, listed, listedAt, graceMs) {
      await writeWithoutBlocking(db, () => reconcile.immediate(resource, listed, listedAt, graceMs));
    },
  };
}
