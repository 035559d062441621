// Decide stage: which policies can possibly match a request, decided from their scopes alone.
// Cedar evaluates every policy in a set, so the engine hands it only the policies that can
// match. Leaving the others out is sound: a policy whose scope does not match the request
// is not satisfied, whatever its conditions say (Cedar checks the scope before the conditions,
// so a left-out policy could not have raised an error either). Three cuts:
// - by action: `action == X`, `action in [...]` (through action groups), or unconstrained;
// - by the resource's container `Resource::"<name>"`: a policy pinned to another Resource
//   entity cannot match when that entity is neither the container nor one of its ancestors;
// - by principal: a policy pinned to an entity (`principal in Group::"g"`) cannot match a
//   principal that is not that entity and does not have it among its ancestors.
import type { BundlePolicy, PolicyBundle } from './types.js';

/** Every action id that policies or action groups name: each gets its own slice. */
export function namedActions(bundle: PolicyBundle): Set<string> {
  const out = new Set<string>(bundle.actionParents.keys());
  for (const parents of bundle.actionParents.values()) for (const p of parents) out.add(p);
  for (const p of bundle.policies) if (!p.actionScope.all) for (const id of p.actionScope.ids) out.add(id);
  return out;
}

/**
 * Policies whose action scope can match `action`; `undefined` stands for any action no policy
 * or group names, which can only meet unconstrained policies.
 */
export function forAction(bundle: PolicyBundle, action: string | undefined): BundlePolicy[] {
  if (action === undefined) return bundle.policies.filter((p) => p.actionScope.all);
  const self = ancestorsAndSelf(action, bundle.actionParents);
  return bundle.policies.filter((p) => p.actionScope.all || p.actionScope.ids.some((id) => self.has(id)));
}

/** Resource ids a container can be told apart by: those policies pin and those entities.json knows. */
export function namedContainers(bundle: PolicyBundle): Set<string> {
  const out = new Set<string>();
  for (const p of bundle.policies) if (!p.resourceScope.any) out.add(p.resourceScope.id);
  for (const e of bundle.entities) if ((e.uid as { type: string }).type === 'Resource') out.add((e.uid as { id: string }).id);
  return out;
}

/**
 * Policies that can match a resource whose ancestors are exactly `containerIds` (the ids of
 * the container and its Resource ancestors) and that is itself either the container or not a
 * Resource entity. The caller checks that shape, and falls back to the action slice otherwise.
 */
export function forContainer(policies: readonly BundlePolicy[], container: string | undefined, containerIds: ReadonlySet<string>): BundlePolicy[] {
  return policies.filter((p) => {
    const s = p.resourceScope;
    if (s.any) return true;
    return s.op === 'eq' ? s.id === container : containerIds.has(s.id);
  });
}

/** More pinned entities than this in one slice, and the slice is not cut by principal. */
const MAX_PINNED = 256;

/**
 * A slice cut by principal: the policies that pin no principal, and for each pinned entity those
 * plus the ones pinned to it, in bundle order. A request whose principal reaches one pinned entity
 * needs only that entity's set. Every set repeats the unpinned policies, so a slice whose copies
 * would outgrow it several times over is left whole (undefined), as is one that pins nothing.
 */
export function forPrincipals(policies: readonly BundlePolicy[]): { unpinned: BundlePolicy[]; pinned: Map<string, BundlePolicy[]> } | undefined {
  const uids = new Set<string>();
  for (const p of policies) if (!p.principalScope.any) uids.add(p.principalScope.uid);
  const unpinned = policies.filter((p) => p.principalScope.any);
  if (uids.size === 0 || uids.size > MAX_PINNED || uids.size * unpinned.length > Math.max(64, 2 * policies.length)) return undefined;
  const pinned = new Map<string, BundlePolicy[]>();
  for (const uid of uids) pinned.set(uid, policies.filter((p) => p.principalScope.any || p.principalScope.uid === uid));
  return { unpinned, pinned };
}

function ancestorsAndSelf(action: string, parents: ReadonlyMap<string, readonly string[]>): Set<string> {
  const out = new Set<string>([action]);
  const queue = [action];
  for (let a = queue.shift(); a !== undefined; a = queue.shift()) {
    for (const p of parents.get(a) ?? []) if (!out.has(p)) (out.add(p), queue.push(p));
  }
  return out;
}
