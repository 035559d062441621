// The configured resources as the pipeline uses them: each with its classifier and its upstream.
import { classifierFor, type Classifier } from '../classify/index.js';
import type { ResourceConfig } from '../config/schema.js';
import type { CedarRecord } from '../model/entity.js';
import { Upstream } from '../proxies/http/forward.js';

export interface MountedResource {
  readonly config: ResourceConfig;
  readonly classify: Classifier;
  readonly upstream: Upstream;
  readonly attributes: CedarRecord;
}

export function mountResources(resources: readonly ResourceConfig[]): Map<string, MountedResource> {
  return new Map(
    resources.map((r) => [
      r.name,
      { config: r, classify: classifierFor(r.type), upstream: new Upstream(r), attributes: r.attributes as CedarRecord },
    ]),
  );
}

export async function closeResources(resources: ReadonlyMap<string, MountedResource>): Promise<void> {
  await Promise.all([...resources.values()].map((r) => r.upstream.close()));
}
