// Decide stage: the bundle cut into one pre-parsed Cedar policy set per action.
// Cedar evaluates every policy in a set, so a request should only meet the policies whose
// action scope can match it. Leaving the others out is sound: a policy whose scope does not
// match the request's action is not satisfied whatever its conditions say.
import { preparsePolicySet } from '@cedar-policy/cedar-wasm/nodejs';
import { randomUUID } from 'node:crypto';
import { AirlockError } from '../lib/errors.js';
import type { BundlePolicy, ContextKeys, PolicyBundle } from './types.js';

export interface Slice {
  /** Pre-parsed set id; undefined when the slice holds no policy (deny without asking Cedar). */
  readonly setId: string | undefined;
  readonly policies: readonly BundlePolicy[];
  /** The context keys any of the slice's policies reads: the decision cache keys on these. */
  readonly contextKeys: ContextKeys;
}

let engines = 0;

export class ActionSlices {
  private readonly byAction = new Map<string, Slice>();
  private readonly fallback: Slice;
  private readonly setIds: string[] = [];

  constructor(bundle: PolicyBundle) {
    // Several engines (live, shadow, replay) share Cedar's one table of pre-parsed sets.
    const prefix = `airlock-${++engines}-${randomUUID().slice(0, 8)}`;
    const byMembers = new Map<string, Slice>();
    const build = (policies: BundlePolicy[]): Slice => {
      const members = policies.map((p) => p.id).join('\0');
      const known = byMembers.get(members);
      if (known) return known;
      const slice = this.preparse(`${prefix}-${byMembers.size}`, policies);
      byMembers.set(members, slice);
      return slice;
    };
    try {
      this.fallback = build(bundle.policies.filter((p) => p.actionScope.all));
      for (const action of candidateActions(bundle)) {
        const self = ancestorsAndSelf(action, bundle.actionParents);
        this.byAction.set(action, build(bundle.policies.filter((p) => p.actionScope.all || p.actionScope.ids.some((id) => self.has(id)))));
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** An action no policy names and no group contains can only meet unconstrained policies. */
  forAction(action: string): Slice {
    return this.byAction.get(action) ?? this.fallback;
  }

  /** Replaces every pre-parsed set with an empty one, returning Cedar's memory. */
  dispose(): void {
    for (const id of this.setIds) preparsePolicySet(id, { staticPolicies: {} });
    this.setIds.length = 0;
  }

  private preparse(setId: string, policies: BundlePolicy[]): Slice {
    const keys = mergeKeys(policies);
    if (policies.length === 0) return { setId: undefined, policies, contextKeys: keys };
    const answer = preparsePolicySet(setId, { staticPolicies: Object.fromEntries(policies.map((p) => [p.id, p.text])) });
    if (answer.type === 'failure') {
      throw new AirlockError('policy_invalid', `cannot pre-parse policies: ${answer.errors.map((e) => e.message).join('; ')}`, {
        problems: answer.errors.map((e) => e.message),
      });
    }
    this.setIds.push(setId);
    return { setId, policies, contextKeys: keys };
  }
}

function candidateActions(bundle: PolicyBundle): Set<string> {
  const out = new Set<string>(bundle.actionParents.keys());
  for (const parents of bundle.actionParents.values()) for (const p of parents) out.add(p);
  for (const p of bundle.policies) if (!p.actionScope.all) for (const id of p.actionScope.ids) out.add(id);
  return out;
}

function ancestorsAndSelf(action: string, parents: ReadonlyMap<string, readonly string[]>): Set<string> {
  const out = new Set<string>([action]);
  const queue = [action];
  for (let a = queue.shift(); a !== undefined; a = queue.shift()) {
    for (const p of parents.get(a) ?? []) if (!out.has(p)) (out.add(p), queue.push(p));
  }
  return out;
}

function mergeKeys(policies: readonly BundlePolicy[]): ContextKeys {
  const keys = new Set<string>();
  for (const p of policies) {
    if (p.contextKeys === 'all') return 'all';
    for (const k of p.contextKeys) keys.add(k);
  }
  return [...keys].sort();
}
