// One admission review, decided: the object is read like a proxied write (replicas, GPUs, images,
// registries, labels) plus its team and the GPUs the team already holds, decided as `k8s.admit`
// by the shared stages for the Kubernetes user the review names (`K8sUser::"<username>"`), and,
// when allowed, its GPUs reserved against the team's quota atomically in the shared store. An
// approval is bound to the operation, the object and a digest of its spec, so the identical spec
// is admitted once after approval (GitOps re-applying it, or a person repeating `kubectl apply`).
// A delete releases what the object held and is always admitted: the webhook governs what runs,
// and blocking deletes would only keep GPUs held. Every review leaves a `k8s_admission` record.
import { canonicalDigest } from '../../../lib/canonical-json.js';
import { AirlockError } from '../../../lib/errors.js';
import { statusOf } from '../../../lib/problem.js';
import { UNKNOWN_MFA_AGE, type Principal } from '../../../model/principal.js';
import type { DecisionSite, Stages } from '../../../pipeline/stage-contract.js';
import type { GpuStore } from '../../../store/ports.js';
import type { ApiRequest } from '../api-path.js';
import type { KubernetesApi } from '../api-client.js';
import { k8sActionRequest } from '../classify.js';
import type { KubernetesResourceConfig } from '../config.js';
import { refusalMessage } from '../status.js';
import { workloadFacts, type WorkloadFacts } from '../workload-facts.js';
import { allocationKey, countsItself } from './allocation.js';
import type { AdmissionAnswer, AdmissionRequest } from './review.js';

/** An object may name the approval granted for it, as kubectl's users name one with a header. */
export const APPROVAL_ANNOTATION = 'airlock.dev/approval';

export interface AdmitDeps {
  readonly config: KubernetesResourceConfig;
  readonly stages: Stages;
  readonly gpus: GpuStore;
  readonly api: KubernetesApi;
  readonly now: () => number;
}

/** Set when the answer has gone out (the budget ran out): nothing may be reserved after that. */
export interface Deadline {
  expired: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function admit(site: DecisionSite, r: AdmissionRequest, deps: AdmitDeps, deadline: Deadline): Promise<AdmissionAnswer> {
  const { config, stages } = deps;
  const namespace = r.namespace ?? '';
  const key = allocationKey(namespace, r.resource.resource, r.name ?? '');
  const record = (answer: AdmissionAnswer, facts: Json) => {
    // Past the budget the listener has answered (a refusal) and recorded that; nothing here may say otherwise.
    if (deadline.expired) return answer;
    stages.event(site, 'k8s_admission', { uid: r.uid, operation: r.operation, object: key, object_kind: r.kind.kind, allowed: answer.allowed, ...facts, ...(answer.allowed ? {} : { message: answer.message }) });
    return answer;
  };

  if (r.operation === 'DELETE') {
    if (deadline.expired) return { allowed: false, message: 'answered already' };
    if (!r.dryRun && !r.subResource) await deps.gpus.releaseGpus(config.name, key);
    return record({ allowed: true }, { released: !r.dryRun && !r.subResource });
  }

  const object = r.object ?? undefined;
  if (!object) throw new AirlockError('bad_request', `a ${r.operation} review must carry request.object`);
  const { facts, perReplica, teamHint } = await factsOf(r, object, deps);
  const team = facts.labels[config.team_label] ?? facts.templateLabels[config.team_label] ?? teamHint ?? '';
  const counted = countsItself(r.subResource ? {} : object);
  const inUse = await deps.gpus.gpusInUse(config.name, team, key);
  const quota = config.quotas.find((q) => q.team === team)?.gpus;

  const principal: Principal = { type: 'K8sUser', id: r.userInfo.username, groups: r.userInfo.groups, mfa: false, mfaAge: UNKNOWN_MFA_AGE, authMethod: 'kubernetes' };
  const metadata = isObject(object.metadata) ? object.metadata : {};
  // Names made from generateName differ on every retry: the approval is for the object as asked.
  const objectName = typeof metadata.generateName === 'string' && metadata.generateName ? `${metadata.generateName}*` : (r.name ?? '');
  const api: ApiRequest = {
    verb: 'admit',
    kind: 'resource',
    group: r.resource.group,
    version: r.resource.version,
    namespace,
    resource: r.resource.resource,
    name: objectName,
    subresource: r.subResource ?? '',
    dryRun: r.dryRun,
  };
  const request = k8sActionRequest(config.name, api, facts, { team, gpus_in_use: inUse, gpu_quota: quota ?? -1, operation: r.operation, kind: r.kind.kind });
  const annotations = isObject(metadata.annotations) ? metadata.annotations : {};
  const presented = annotations[APPROVAL_ANNOTATION];
  const path = `/${namespace || '_cluster'}/${r.resource.resource}${r.subResource ? `/${r.subResource}` : ''}/${objectName}`;
  // Nothing spent (an approval) or recorded for a review already answered by the budget.
  if (deadline.expired) return { allowed: false, message: 'answered already' };
  const verdict = await stages.authorize(site, {
    principal,
    request,
    method: r.operation,
    path,
    bound: { method: r.operation, path, query_sha256: null, body_sha256: specDigest(object) },
    presentedApproval: typeof presented === 'string' ? presented : undefined,
    spendIdenticalRetry: true,
    holdSeconds: 0,
    body: undefined,
    fields: { admission_uid: r.uid, operation: r.operation, object_kind: r.kind.kind },
  });
  const known = { team, gpus: facts.gpus, gpus_in_use: inUse, quota: quota ?? null, counted };
  if (!verdict.allowed) {
    return record({ allowed: false, code: statusOf(verdict.refusal.code), message: refusalMessage(verdict.refusal, site.requestId) }, { ...known, code: verdict.refusal.code });
  }
  if (!counted) return record({ allowed: true }, known);
  if (deadline.expired) return { allowed: false, message: 'answered already' };
  const reserved = r.dryRun
    ? { admitted: quota === undefined || inUse + facts.gpus <= quota, inUse }
    : await deps.gpus.reserveGpus({ resource: config.name, key, team, gpus: facts.gpus, perReplica, quota }, deps.now());
  if (!reserved.admitted) {
    const detail = `team "${team}" asks for ${facts.gpus} GPUs with ${reserved.inUse} of its ${quota} in use`;
    return record({ allowed: false, code: 403, message: refusalMessage({ code: 'quota_exceeded', detail }, site.requestId) }, { ...known, gpus_in_use: reserved.inUse, code: 'quota_exceeded' });
  }
  return record({ allowed: true }, { ...known, gpus_in_use: reserved.inUse });
}

/**
 * The object's facts. A scale review carries only a Scale: its GPUs are the replicas times what
 * one replica of the parent takes, known from the parent's allocation or else read from the API.
 */
async function factsOf(r: AdmissionRequest, object: Json, deps: AdmitDeps): Promise<{ facts: WorkloadFacts; perReplica: number; teamHint?: string }> {
  const gpuResources = deps.config.gpu_resources;
  if (r.subResource !== 'scale') {
    const facts = workloadFacts(object, gpuResources);
    return { facts, perReplica: facts.replicas ? Math.ceil(facts.gpus / facts.replicas) : facts.gpus };
  }
  const replicas = workloadFacts({ ...object, kind: 'Scale' }, gpuResources).replicas;
  const held = await deps.gpus.gpuAllocation(deps.config.name, allocationKey(r.namespace ?? '', r.resource.resource, r.name ?? ''));
  if (held) return { facts: { ...workloadFacts({}, gpuResources), replicas, gpus: held.perReplica * replicas }, perReplica: held.perReplica, teamHint: held.team };
  const base = r.resource.group ? `/apis/${r.resource.group}/${r.resource.version}` : `/api/${r.resource.version}`;
  const parent = await deps.api.get(`${base}/namespaces/${r.namespace ?? ''}/${r.resource.resource}/${r.name ?? ''}`, deps.config.budget_ms);
  if (!parent) throw new AirlockError('bad_request', `the object scaled (${r.resource.resource}/${r.name}) cannot be found`);
  const spec = isObject(parent.spec) ? parent.spec : {};
  const one = workloadFacts({ ...parent, spec: { ...spec, replicas: 1 } }, gpuResources);
  const facts = workloadFacts({ ...parent, spec: { ...spec, replicas } }, gpuResources);
  return { facts, perReplica: one.gpus };
}

/** SHA-256 of the object's spec and labels in canonical JSON (RFC 8785): what an approval is for. */
function specDigest(object: Json): string {
  const metadata = isObject(object.metadata) ? object.metadata : {};
  return canonicalDigest({ kind: object.kind ?? null, labels: metadata.labels ?? null, spec: object.spec ?? null });
}
