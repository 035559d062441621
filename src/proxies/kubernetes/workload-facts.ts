// What a Kubernetes object would ask of the cluster, read from its JSON: replicas, GPUs, images
// and their registries, labels. The pod specs are found wherever they sit (a Pod's `spec`, a
// Deployment's `spec.template.spec`, a CronJob's `spec.jobTemplate.spec.template.spec`, a custom
// resource's replica specs), each multiplied by the `replicas` or `parallelism` beside the template
// that holds it, so a PyTorchJob's workers count as they would run. A pod's GPUs are the larger of
// its containers' sum and its largest init container (init containers run one at a time, before
// the others), as the scheduler counts them. A value the API server would refuse (a replica count
// that is not a whole number, a GPU quantity it cannot read) is refused here too, rather than
// guessed at: a guess that read too few GPUs would let the request through.
import { AirlockError } from '../../lib/errors.js';

export interface WorkloadFacts {
  /** `spec.replicas` (or a Job's parallelism, a Scale's replicas); 1 for a Pod; 0 when the object has none. */
  readonly replicas: number;
  /** GPUs over all replicas of every pod spec in the object. */
  readonly gpus: number;
  readonly images: readonly string[];
  /** The images' registry hosts, `docker.io` when an image names none. */
  readonly registries: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  /** Labels of the first pod template (where a Deployment's pods carry their team). */
  readonly templateLabels: Readonly<Record<string, string>>;
}

export const NO_WORKLOAD: WorkloadFacts = { replicas: 0, gpus: 0, images: [], registries: [], labels: {}, templateLabels: {} };

const MAX_DEPTH = 64;
const SKIPPED = new Set(['metadata', 'status', 'managedFields']);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function workloadFacts(object: unknown, gpuResources: readonly string[]): WorkloadFacts {
  if (!isObject(object)) return NO_WORKLOAD;
  const images = new Set<string>();
  let gpus = 0;
  let podReplicas: number | undefined;
  let templateLabels: Record<string, string> | undefined;

  const walk = (node: unknown, multiplier: number, depth: number, path: string): void => {
    if (depth > MAX_DEPTH) throw new AirlockError('bad_request', 'the object is nested too deeply to be read');
    if (Array.isArray(node)) {
      node.forEach((n, i) => walk(n, multiplier, depth + 1, `${path}[${i}]`));
      return;
    }
    if (!isObject(node)) return;
    if (Array.isArray(node.containers)) {
      gpus += podGpus(node, gpuResources, path) * multiplier;
      for (const key of ['containers', 'initContainers', 'ephemeralContainers']) {
        for (const c of asArray(node[key])) if (isObject(c) && typeof c.image === 'string' && c.image) images.add(c.image);
      }
      podReplicas ??= multiplier;
      return;
    }
    const count = replicaField(node, path);
    for (const key of Object.keys(node)) {
      if (SKIPPED.has(key)) continue;
      const templated = key === 'template' || key === 'jobTemplate';
      if (templated && isObject(node[key])) templateLabels ??= labelsOf((node[key] as Json).metadata, `${path}.${key}.metadata.labels`);
      walk(node[key], templated && count !== undefined ? multiplier * count : multiplier, depth + 1, `${path}.${key}`);
    }
  };
  walk(object, 1, 0, '');

  const spec = isObject(object.spec) ? object.spec : {};
  const replicas = object.kind === 'Scale' ? (replicaField(spec, '.spec') ?? 0) : (podReplicas ?? replicaField(spec, '.spec') ?? 0);
  const imageList = [...images].sort();
  return {
    replicas,
    gpus,
    images: imageList,
    registries: [...new Set(imageList.map(registryOf))].sort(),
    labels: labelsOf(object.metadata, '.metadata.labels'),
    templateLabels: templateLabels ?? {},
  };
}

/** A Pod counts once; a template's holder says how many run (`replicas`, else a Job's `parallelism`). */
function replicaField(node: Json, path: string): number | undefined {
  for (const key of ['replicas', 'parallelism']) {
    const v = node[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new AirlockError('bad_request', `${path}.${key} must be a whole number`);
    return v;
  }
  return undefined;
}

function podGpus(pod: Json, gpuResources: readonly string[], path: string): number {
  const sum = (containers: unknown, key: string) =>
    asArray(containers).map((c, i) => containerGpus(c, gpuResources, `${path}.${key}[${i}]`));
  const main = sum(pod.containers, 'containers').reduce((a, b) => a + b, 0);
  const init = Math.max(0, ...sum(pod.initContainers, 'initContainers'));
  return Math.max(main, init);
}

function containerGpus(container: unknown, gpuResources: readonly string[], path: string): number {
  if (!isObject(container) || !isObject(container.resources)) return 0;
  const { limits, requests } = container.resources;
  let total = 0;
  for (const name of gpuResources) {
    // Extended resources cannot be overcommitted: a request without a limit is the limit.
    const value = isObject(limits) && limits[name] !== undefined ? limits[name] : isObject(requests) ? requests[name] : undefined;
    if (value !== undefined && value !== null) total += quantity(value, `${path}.resources.limits["${name}"]`);
  }
  return total;
}

const SUFFIX: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };

/** A Kubernetes quantity as a whole count (a fraction rounds up: the scheduler cannot give less). */
export function quantity(value: unknown, path: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.ceil(value);
  const m = typeof value === 'string' ? /^\+?(\d+(?:\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(value.trim()) : null;
  if (!m) throw new AirlockError('bad_request', `${path} is not a quantity`);
  const n = m[2] === 'm' ? Number(m[1]) / 1000 : Number(m[1]) * SUFFIX[m[2] ?? '']!;
  if (!Number.isSafeInteger(Math.ceil(n))) throw new AirlockError('bad_request', `${path} is too large`);
  return Math.ceil(n);
}

/** The registry host of an image reference, as the container runtime resolves it. */
export function registryOf(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = image.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') return first.toLowerCase();
  return 'docker.io';
}

function labelsOf(metadata: unknown, path: string): Record<string, string> {
  if (!isObject(metadata) || metadata.labels === undefined || metadata.labels === null) return {};
  if (!isObject(metadata.labels)) throw new AirlockError('bad_request', `${path} must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata.labels)) {
    if (typeof v !== 'string') throw new AirlockError('bad_request', `${path}["${k}"] must be a string`);
    out[k] = v;
  }
  return out;
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
