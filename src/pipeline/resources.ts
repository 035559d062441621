// The configured resources as the pipeline uses them: each with the surface of its type.
import type { ResourceConfig } from '../config/schema.js';
import type { CedarRecord } from '../model/entity.js';
import { mountSurface } from '../proxies/index.js';
import type { MountContext, MountedResource } from './surface.js';

export function mountResources(resources: readonly ResourceConfig[], ctx: MountContext): Map<string, MountedResource> {
  return new Map(resources.map((r) => [r.name, { config: r, surface: mountSurface(r, ctx), attributes: r.attributes as CedarRecord }]));
}

export async function closeResources(resources: ReadonlyMap<string, MountedResource>): Promise<void> {
  await Promise.all([...resources.values()].map((r) => r.surface.close()));
}

/** Draining starts: surfaces end their endless streams. */
export function drainResources(resources: ReadonlyMap<string, MountedResource>): void {
  for (const r of resources.values()) r.surface.drain?.();
}
