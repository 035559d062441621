// Decide stage: the bundle as pre-parsed Cedar policy sets, one per slice (see slice-plan.ts
// for which policies a slice holds), built once per engine, and the lookup of a request's slice:
// by action and container first, then, when the decision is not cached, by principal.
import { preparsePolicySet } from './cedar.js';
import { randomUUID } from 'node:crypto';
import { AirlockError } from '../lib/errors.js';
import type { EntityRef } from '../model/entity.js';
import type { EntityIndex } from './request-entities.js';
import { forAction, forContainer, forPrincipals, namedActions, namedContainers } from './slice-plan.js';
import type { BundlePolicy, ContextKeys, DecideInput, PolicyBundle } from './types.js';

export interface Slice {
  /** Pre-parsed set id; undefined when the slice holds no policy (deny without asking Cedar). */
  readonly setId: string | undefined;
  readonly policies: readonly BundlePolicy[];
  /** The context keys any of the slice's policies reads: the decision cache keys on these. */
  readonly contextKeys: ContextKeys;
  /** The slice cut by principal (forPrincipals); absent when it is not cut. */
  readonly byPrincipal?: { readonly unpinned: Slice; readonly pinned: ReadonlyMap<string, Slice> };
}

const UNNAMED = '\0unnamed'; // any action that no policy or group names
const OTHER = '\0other'; // any container that no policy or entity names
let engines = 0;

export class PolicySlices {
  private readonly byAction = new Map<string, Slice>();
  /** action -> container (or OTHER) -> slice: nested, so a request builds no key string. */
  private readonly byActionContainer = new Map<string, Map<string, Slice>>();
  private readonly setIds: string[] = [];

  constructor(bundle: PolicyBundle, private readonly entities: EntityIndex) {
    // Several engines (live, shadow, replay) share Cedar's one table of pre-parsed sets.
    const prefix = `airlock-${++engines}-${randomUUID().slice(0, 8)}`;
    const byMembers = new Map<string, Slice>();
    const set = (policies: BundlePolicy[]): Slice => {
      const members = policies.map((p) => p.id).join('\0');
      let slice = byMembers.get(members);
      if (!slice) byMembers.set(members, (slice = this.preparse(`${prefix}-${byMembers.size}`, policies)));
      return slice;
    };
    const cuts = new Map<Slice, Slice>();
    const build = (policies: BundlePolicy[]): Slice => {
      const whole = set(policies);
      let cut = cuts.get(whole);
      if (!cut) {
        const plan = forPrincipals(policies);
        cut = plan ? { ...whole, byPrincipal: { unpinned: set(plan.unpinned), pinned: new Map([...plan.pinned].map(([uid, ps]) => [uid, set(ps)])) } } : whole;
        cuts.set(whole, cut);
      }
      return cut;
    };
    const containerIds = new Map([...namedContainers(bundle)].map((c) => [c, resourceIds(entities.ancestorsAndSelf({ type: 'Resource', id: c }))]));
    try {
      for (const action of [...namedActions(bundle), UNNAMED]) {
        const policies = forAction(bundle, action === UNNAMED ? undefined : action);
        this.byAction.set(action, build(policies));
        const byContainer = new Map([...containerIds].map(([c, ids]) => [c, build(forContainer(policies, c, ids))]));
        byContainer.set(OTHER, build(forContainer(policies, undefined, new Set())));
        this.byActionContainer.set(action, byContainer);
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  forRequest({ request }: DecideInput): Slice {
    // Every named action has its own slice; any other meets the unnamed one.
    const action = this.byAction.has(request.action) ? request.action : UNNAMED;
    const { resource, resourceName: container } = request;
    // The container cut assumes the resource's ancestors are the container's: true for the
    // container itself and for a resource entities.json does not describe.
    const usual = container !== '' && (resource.type === 'Resource' ? resource.id === container : !this.entities.has(resource));
    if (!usual) return this.byAction.get(action)!;
    const byContainer = this.byActionContainer.get(action)!;
    return byContainer.get(container) ?? byContainer.get(OTHER)!;
  }

  /**
   * The smallest set of `slice` that can decide for this principal: the one of the single pinned
   * entity it reaches, the unpinned policies when it reaches none, the whole slice when several.
   */
  forPrincipal(slice: Slice, input: DecideInput): Slice {
    const cut = slice.byPrincipal;
    if (!cut) return slice;
    let match: Slice | undefined;
    for (const uid of this.entities.principalAncestry(input.principal)) {
      const s = cut.pinned.get(uid);
      if (!s) continue;
      if (match) return slice;
      match = s;
    }
    return match ?? cut.unpinned;
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
      const problems = answer.errors.map((e) => e.message);
      throw new AirlockError('policy_invalid', `cannot pre-parse policies: ${problems.join('; ')}`, { problems });
    }
    this.setIds.push(setId);
    return { setId, policies, contextKeys: keys };
  }
}

function resourceIds(refs: readonly EntityRef[]): Set<string> {
  return new Set(refs.filter((r) => r.type === 'Resource').map((r) => r.id));
}

function mergeKeys(policies: readonly BundlePolicy[]): ContextKeys {
  const keys = new Set<string>();
  for (const p of policies) {
    if (p.contextKeys === 'all') return 'all';
    for (const k of p.contextKeys) keys.add(k);
  }
  return [...keys].sort();
}
