// Decide stage: what Cedar is shown of the context, and the decision cache key. The key must
// name every input the slice's policies can observe: principal and its groups, action,
// resource with its own attributes, its ancestors and container and their attributes, and the
// context Cedar sees.
// Static entities are fixed per engine. MFA state is left out on purpose: the engine applies
// the MFA obligation on every call, after the cache.
import type { CedarRecord } from '../model/entity.js';
import type { ContextKeys, DecideInput } from './types.js';

/** Longer keys are not cached: a few huge contexts must not fill the memory. */
export const MAX_KEY_LENGTH = 4096;

/**
 * Only the keys the slice's policies read (all of them when one uses the context whole).
 * Evaluation cannot tell the difference, Cedar has less to convert, and a value no policy
 * reads can neither split the cache nor fail the request.
 */
export function visibleContext(context: CedarRecord, keys: ContextKeys): CedarRecord {
  if (keys === 'all') return context;
  const out: CedarRecord = {};
  for (const k of keys) {
    const v = context[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** `context` is the visible context: its keys come in the slice's (sorted) order. */
export function cacheKey(input: DecideInput, context: CedarRecord): string {
  const { principal, request } = input;
  const groups = principal.groups.length > 1 ? [...principal.groups].sort() : principal.groups;
  return JSON.stringify([
    principal.type,
    principal.id,
    groups,
    request.action,
    request.resource.type,
    request.resource.id,
    request.resourceName,
    input.resourceAttributes ?? null,
    request.ancestors ?? null,
    request.attributes ?? null,
    context,
  ]);
}
