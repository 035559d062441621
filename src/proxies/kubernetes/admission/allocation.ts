// Which objects hold GPUs against a quota, and under which key. Each workload is counted once, at
// the object a person or a pipeline created: a Deployment counts its replicas, so the ReplicaSet it
// makes and that ReplicaSet's pods, which the webhook also sees, do not count again (they are
// controlled by a kind counted above them). A pod of any other controller (a PyTorchJob's
// workers) counts itself. A finished Job or pod holds no GPUs; only a list of the cluster shows
// that (reconcile.ts), since no admission review is sent when a pod completes.

/** Kinds whose objects are counted, so what they control is not counted again. */
const COUNTED_CONTROLLERS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'Job', 'CronJob']);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True unless a counted controller controls the object. */
export function countsItself(object: unknown): boolean {
  const refs = isObject(object) && isObject(object.metadata) ? object.metadata.ownerReferences : undefined;
  if (!Array.isArray(refs)) return true;
  return !refs.some((r) => isObject(r) && r.controller === true && typeof r.kind === 'string' && COUNTED_CONTROLLERS.has(r.kind));
}

export function allocationKey(namespace: string, resource: string, name: string): string {
  return `${namespace}/${resource}/${name}`;
}

/** A Job or pod that has finished runs nothing; a suspended CronJob starts nothing. */
export function finished(object: unknown): boolean {
  if (!isObject(object)) return false;
  const status = isObject(object.status) ? object.status : {};
  const spec = isObject(object.spec) ? object.spec : {};
  if (object.kind === 'Pod') return status.phase === 'Succeeded' || status.phase === 'Failed';
  if (object.kind === 'CronJob') return spec.suspend === true;
  if (object.kind === 'Job') {
    const conditions = Array.isArray(status.conditions) ? status.conditions : [];
    return conditions.some((c) => isObject(c) && (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  }
  return false;
}
