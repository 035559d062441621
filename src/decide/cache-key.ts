// Decide stage: the decision cache key. It must name every input the slice's policies can
// observe: principal and its groups, action, resource with its container and the container's
// attributes, and the context keys the policies read (all of the context when one uses it
// whole). Static entities are fixed per engine. MFA state is left out on purpose: the engine
// applies the MFA obligation on every call, after the cache.
import type { ContextKeys } from './types.js';
import type { DecideInput } from './types.js';

/** Longer keys are not cached: a few huge contexts must not fill the memory. */
export const MAX_KEY_LENGTH = 4096;

export function cacheKey(input: DecideInput, keys: ContextKeys): string {
  const { principal, request, context } = input;
  const groups = principal.groups.length > 1 ? [...principal.groups].sort() : principal.groups;
  const ctx =
    keys === 'all'
      ? JSON.stringify(context)
      : // [1, value] or [0] tells a missing key apart from any value it could hold.
        JSON.stringify(keys.map((k) => (Object.hasOwn(context, k) ? [1, context[k]] : [0])));
  return JSON.stringify([
    principal.type,
    principal.id,
    groups,
    request.action,
    request.resource.type,
    request.resource.id,
    request.resourceName,
    input.resourceAttributes ?? null,
    ctx,
  ]);
}
