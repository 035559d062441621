// A GPU allocation as both stores keep it (table k8s_gpu_allocations), and as the port returns it.
import type { GpuAllocation } from './ports.js';

export interface GpuRow {
  resource: string;
  object_key: string;
  team: string;
  gpus: number;
  per_replica: number;
  updated_at: number;
}

export const toAllocation = (r: GpuRow): GpuAllocation => ({
  resource: r.resource,
  key: r.object_key,
  team: r.team,
  gpus: r.gpus,
  perReplica: r.per_replica,
  updatedAt: r.updated_at,
});
