// Recounts GPU allocations from the cluster itself, every `reconcile_seconds`: admission reviews
// see objects created, changed and deleted, but not a Job that finished or a delete that a later
// webhook refused, and nothing from before the webhook was installed. Every kind the webhook
// counts is listed with the gateway's own credential; a round in which any list fails changes
// nothing (a partial list would look like deletions). Objects admitted in the last minute are
// kept even when not listed: the API server may not have stored them yet.
import { errorMessage } from '../../../lib/errors.js';
import type { Logger } from '../../../lib/logger.js';
import type { GpuStore } from '../../../store/ports.js';
import type { KubernetesApi } from '../api-client.js';
import type { KubernetesResourceConfig } from '../config.js';
import { workloadFacts } from '../workload-facts.js';
import { allocationKey, countsItself, finished } from './allocation.js';

const LISTS = [
  ['/api/v1/pods', 'pods', 'Pod'],
  ['/apis/apps/v1/deployments', 'deployments', 'Deployment'],
  ['/apis/apps/v1/statefulsets', 'statefulsets', 'StatefulSet'],
  ['/apis/apps/v1/replicasets', 'replicasets', 'ReplicaSet'],
  ['/apis/batch/v1/jobs', 'jobs', 'Job'],
  ['/apis/batch/v1/cronjobs', 'cronjobs', 'CronJob'],
] as const;

export const RECONCILE_GRACE_MS = 60_000;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function reconcileOnce(config: KubernetesResourceConfig, api: KubernetesApi, gpus: GpuStore, now: () => number): Promise<number> {
  const listedAt = now();
  const listed: { key: string; team: string; gpus: number; perReplica: number }[] = [];
  for (const [path, resource, kind] of LISTS) {
    const list = await api.get(path);
    for (const item of Array.isArray(list?.items) ? list.items : []) {
      if (!isObject(item) || !countsItself(item)) continue;
      const object = { ...item, kind };
      const meta = isObject(item.metadata) ? item.metadata : {};
      let facts;
      try {
        facts = workloadFacts(object, config.gpu_resources);
      } catch {
        continue; // the API server stored it, so it is readable; a malformed list entry counts nothing
      }
      const team = facts.labels[config.team_label] ?? facts.templateLabels[config.team_label] ?? '';
      const held = finished(object) ? 0 : facts.gpus;
      listed.push({ key: allocationKey(String(meta.namespace ?? ''), resource, String(meta.name ?? '')), team, gpus: held, perReplica: facts.replicas ? Math.ceil(facts.gpus / facts.replicas) : facts.gpus });
    }
  }
  await gpus.reconcileGpus(config.name, listed, listedAt, RECONCILE_GRACE_MS);
  return listed.length;
}

/** Runs reconcileOnce every `reconcile_seconds` (first after one interval); returns the stop function. */
export function startReconcile(config: KubernetesResourceConfig, api: KubernetesApi, gpus: GpuStore, log: Logger): () => void {
  if (config.reconcile_seconds <= 0) return () => undefined;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    reconcileOnce(config, api, gpus, Date.now)
      .catch((err: unknown) => log.warn({ resource: config.name, err: errorMessage(err) }, 'GPU allocations could not be reconciled from the API server; kept as they were'))
      .finally(() => (running = false));
  }, config.reconcile_seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
