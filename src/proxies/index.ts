// The surfaces Airlock governs, one per resource type: the pipeline mounts them from here and
// nowhere else.
import type { ResourceConfig } from '../config/schema.js';
import type { MountContext, Surface, SurfaceFactory } from '../pipeline/surface.js';
import { httpSurface } from './http/surface.js';
import { mcpSurface } from './mcp/surface.js';
import { s3Surface } from './s3/surface.js';
import { kubernetesSurface } from './kubernetes/surface.js';

type ResourceType = ResourceConfig['type'];

const SURFACES: { readonly [T in ResourceType]: SurfaceFactory<Extract<ResourceConfig, { type: T }>> } = {
  openai: httpSurface,
  http: httpSurface,
  mcp: mcpSurface,
  s3: s3Surface,
  kubernetes: kubernetesSurface,
};

export function mountSurface(config: ResourceConfig, ctx: MountContext): Surface {
  return (SURFACES[config.type] as SurfaceFactory)(config, ctx);
}
