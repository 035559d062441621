// The facts of a write (create, update, patch, scale): what the object would be once the API
// server has applied the request. Creates and updates carry the whole object; a patch is applied
// to the current object and a scale sets the replicas of its parent (read with the gateway's own
// credential), so `kubectl scale --replicas=20` is decided on the GPUs that 20 replicas take.
// Bodies are read as the API server reads them (JSON, YAML for apply patches and YAML creates),
// strictly: a duplicate key is refused, since the API server might keep the other one. Protobuf
// and CBOR cannot be read here, so a write in them is refused rather than decided unread.
import { parse as parseYaml } from 'yaml';
import { AirlockError } from '../../lib/errors.js';
import { parseJsonStrict } from '../../lib/strict-json.js';
import type { ApiRequest } from './api-path.js';
import { applyPatch, patchTypeOf } from './patch.js';
import { NO_WORKLOAD, workloadFacts, type WorkloadFacts } from './workload-facts.js';

export const WRITE_VERBS: ReadonlySet<string> = new Set(['create', 'update', 'patch', 'scale']);

export interface WriteInput {
  readonly api: ApiRequest;
  /** The request's path (an API path), to find the object a patch or scale changes. */
  readonly path: string;
  readonly method: string;
  readonly contentType: string | undefined;
  readonly body: Buffer;
  readonly gpuResources: readonly string[];
  /** Reads an object with the gateway's credential; undefined when it does not exist. */
  readonly read: (apiPath: string) => Promise<Record<string, unknown> | undefined>;
}

export async function writeFacts(w: WriteInput): Promise<WorkloadFacts> {
  if (!WRITE_VERBS.has(w.api.verb) || w.api.kind !== 'resource') return NO_WORKLOAD;
  const media = (w.contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  const patchType = w.method === 'PATCH' ? patchTypeOf(media) : undefined;
  if (w.method === 'PATCH' && !patchType) throw new AirlockError('unsupported_media_type', `a patch must be sent as a JSON, merge, strategic merge or apply patch, not "${media.slice(0, 80)}"`);
  if (w.body.length === 0) return NO_WORKLOAD;
  const value = readBody(media, w.body);

  const subresource = w.api.subresource ? `/${w.api.subresource}` : '';
  const objectPath = subresource && w.path.endsWith(subresource) ? w.path.slice(0, -subresource.length) : w.path;
  if (w.api.verb === 'scale') {
    const parent = (await w.read(objectPath)) ?? {};
    const spec = isObject(parent.spec) ? parent.spec : {};
    const currentScale = { kind: 'Scale', spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 1 } };
    const scale = patchType ? applyPatch(currentScale, patchType, value) : value;
    const replicas = workloadFacts({ ...(isObject(scale) ? scale : {}), kind: 'Scale' }, w.gpuResources).replicas;
    return workloadFacts({ ...parent, spec: { ...spec, replicas } }, w.gpuResources);
  }
  if (patchType) return workloadFacts(applyPatch((await w.read(objectPath)) ?? {}, patchType, value), w.gpuResources);
  return workloadFacts(value, w.gpuResources);
}

function readBody(media: string, body: Buffer): unknown {
  if (media === 'application/json' || media.endsWith('+json')) return parseJsonStrict(body.toString('utf8'));
  if (media === 'application/yaml' || media.endsWith('+yaml')) {
    try {
      return parseYaml(body.toString('utf8'), { uniqueKeys: true, maxAliasCount: 100 }) as unknown;
    } catch (err) {
      throw new AirlockError('bad_request', `the request body is not valid YAML (${err instanceof Error ? err.message.split('\n')[0]!.slice(0, 120) : 'unreadable'})`);
    }
  }
  throw new AirlockError('unsupported_media_type', `a write sent as "${media.slice(0, 80)}" cannot be decided on; send JSON or YAML`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
