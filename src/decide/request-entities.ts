// Decide stage: the entities one Cedar request needs, and no more. Cedar's cost grows with
// every entity passed, so a request carries its principal, resource and action with their
// ancestors from the bundle's static entities, not the whole `entities.json`.
import type { EntityJson } from './cedar.js';
import { formatEntity, type CedarRecord, type EntityRef } from '../model/entity.js';
import type { DecideInput, PolicyBundle } from './types.js';

type Uid = { type: string; id: string };
const key = (u: Uid): string => formatEntity(u);

export class EntityIndex {
  private readonly byUid = new Map<string, EntityJson>();

  constructor(bundle: Pick<PolicyBundle, 'entities' | 'actionParents'>) {
    for (const e of bundle.entities) this.byUid.set(key(e.uid as Uid), e);
    // Action entities carry the merged hierarchy (entities.json and schema declarations).
    for (const [id, parents] of bundle.actionParents) {
      const uid = { type: 'Action', id };
      const attrs = this.byUid.get(key(uid))?.attrs ?? {};
      this.byUid.set(key(uid), { uid, attrs, parents: parents.map((p) => ({ type: 'Action', id: p })) });
    }
  }

  /** True when entities.json (or the schema, for actions) describes this entity. */
  has(ref: EntityRef): boolean {
    return this.byUid.has(key(ref));
  }

  /** `ref` and its static ancestors, including parents that have no entity of their own. */
  ancestorsAndSelf(ref: EntityRef): EntityRef[] {
    const seen = new Map<string, Uid>();
    const queue: Uid[] = [{ type: ref.type, id: ref.id }];
    for (let u = queue.shift(); u; u = queue.shift()) {
      if (seen.has(key(u))) continue;
      seen.set(key(u), u);
      queue.push(...((this.byUid.get(key(u))?.parents ?? []) as Uid[]));
    }
    return [...seen.values()];
  }

  /** `Type::"id"` of the principal, its groups, and all their static ancestors. */
  principalAncestry(principal: DecideInput['principal']): Set<string> {
    const out = new Set<string>();
    const starts: EntityRef[] = [{ type: principal.type, id: principal.id }, ...principal.groups.map((g) => ({ type: 'Group', id: g }))];
    for (const start of starts) for (const ref of this.ancestorsAndSelf(start)) out.add(key(ref));
    return out;
  }

  /** The entities for one request: principal, resource, action, each with its ancestors. */
  forRequest(input: DecideInput): EntityJson[] {
    const out = new Map<string, EntityJson>();
    const { principal, request } = input;
    const groups = principal.groups.map((g) => ({ type: 'Group', id: g }));
    this.put(out, { type: principal.type, id: principal.id }, {}, groups);

    const container = { type: 'Resource', id: request.resourceName };
    const attrs = input.resourceAttributes ?? {};
    const ancestors = request.ancestors ?? [];
    // Without a configured resource in between (the control plane), the chain ends at the last ancestor.
    const top: Uid[] = request.resourceName === '' ? [] : [container];
    if (key(request.resource) === key(container)) {
      this.put(out, container, attrs, []);
    } else {
      // The resource inherits its container's configured attributes and its ancestors' (nearer
      // ones win), so `resource.environment` works for a Model and `resource.sensitivity` for a
      // Dataset under its prefix (Cedar cannot read a parent's attributes); its own attributes
      // (from the request, then entities.json) win over all of them.
      const own = (this.byUid.get(key(request.resource))?.attrs ?? {}) as CedarRecord;
      const inherited = request.resourceName === '' ? {} : attrs;
      let fromAncestors: CedarRecord = {};
      for (let i = ancestors.length - 1; i >= 0; i--) fromAncestors = { ...fromAncestors, ...ancestors[i]!.attrs };
      this.put(out, request.resource, { ...inherited, ...fromAncestors, ...request.attributes, ...own }, ancestors.length ? [ancestors[0]!] : top);
      ancestors.forEach((a, i) => this.put(out, a, { ...inherited, ...a.attrs }, i + 1 < ancestors.length ? [ancestors[i + 1]!] : top));
      if (top.length) this.put(out, container, attrs, []);
    }
    this.put(out, { type: 'Action', id: request.action }, {}, []);
    return [...out.values()];
  }

  /** Adds one entity (static data merged with what the request adds) and its ancestors. */
  private put(out: Map<string, EntityJson>, ref: EntityRef, attrs: CedarRecord, parents: readonly Uid[]): void {
    const k = key(ref);
    const base = out.get(k) ?? this.byUid.get(k);
    const merged: EntityJson = {
      uid: { type: ref.type, id: ref.id },
      attrs: { ...(base?.attrs ?? {}), ...attrs },
      parents: unique([...((base?.parents ?? []) as Uid[]), ...parents.map((p) => ({ type: p.type, id: p.id }))]),
    };
    if (base?.tags) merged.tags = base.tags;
    // An entity with no attributes and no parents tells Cedar nothing it would not assume of
    // an unknown one, and each entity passed costs about 10 us: leave it out.
    if (merged.parents.length === 0 && Object.keys(merged.attrs).length === 0 && !merged.tags) return;
    out.set(k, merged);
    this.addAncestors(out, merged.parents as Uid[]);
  }

  private addAncestors(out: Map<string, EntityJson>, parents: Uid[]): void {
    const queue = [...parents];
    for (let u = queue.shift(); u; u = queue.shift()) {
      const k = key(u);
      if (out.has(k)) continue;
      const e = this.byUid.get(k);
      if (!e) continue; // an unknown parent has no ancestors; Cedar needs no entity for it
      out.set(k, e);
      queue.push(...(e.parents as Uid[]));
    }
  }
}

function unique(uids: Uid[]): Uid[] {
  const seen = new Set<string>();
  return uids.filter((u) => !seen.has(key(u)) && (seen.add(key(u)), true));
}
