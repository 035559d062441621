// Decide stage, tests only: random policies and requests over small pools of names (so that
// scopes actually meet requests), and a plain model of what Cedar should decide for them.
import fc from 'fast-check';
import type { DecideInput } from './types.js';
import { input } from './test-support.js';

export const GROUPS = ['g0', 'g1', 'g2'] as const;
export const USERS = ['u0', 'u1', 'u2'] as const;
export const ACTIONS = ['a0', 'a1', 'a2', 'a3'] as const;
export const RESOURCES = ['r0', 'r1', 'r2'] as const;
export const KEYS = ['k0', 'k1'] as const;

export type PrincipalScope = { kind: 'all' } | { kind: 'group'; id: string } | { kind: 'user'; id: string } | { kind: 'agents' };
export type ActionScopeSpec = { kind: 'all' } | { kind: 'eq'; id: string } | { kind: 'in'; ids: string[] };

export interface PolicySpec {
  effect: 'permit' | 'forbid';
  principal: PrincipalScope;
  action: ActionScopeSpec;
  /** `resource in Resource::"id"`, `resource == Resource::"id"` or `resource is Thing in Resource::"id"`. */
  resource?: { op: 'in' | 'eq' | 'is-in'; id: string };
  /**
   * `context.<key> == value`; `strict` reads the key without a `has` guard (errors when absent).
   * Strict ones come in three forms: as is, reversed (`value == context.<key>`), or chained with a
   * strict `context.<other key> == 0` after it, which errors when the first test held and the
   * other key is absent.
   */
  when?: { key: string; value: number; strict: boolean; form: 'plain' | 'reversed' | 'chained' };
  approval?: { groups: string[]; quorum?: number };
  mfa?: { maxAge?: number };
}

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);

export const principalScope: fc.Arbitrary<PrincipalScope> = fc.oneof(
  fc.constant({ kind: 'all' as const }),
  pick(GROUPS).map((id) => ({ kind: 'group' as const, id })),
  pick(USERS).map((id) => ({ kind: 'user' as const, id })),
  fc.constant({ kind: 'agents' as const }),
);

/** Mostly absent: a rare arbitrary still shows up, while plain allows stay common. */
const rarely = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

export const policySpec = (actionScope: fc.Arbitrary<ActionScopeSpec>): fc.Arbitrary<PolicySpec> =>
  fc
    .record({
      effect: fc.constantFrom('permit' as const, 'forbid' as const),
      principal: principalScope,
      action: actionScope,
      resource: fc.option(fc.record({ op: fc.constantFrom('in' as const, 'eq' as const, 'is-in' as const), id: pick(RESOURCES) }), { nil: undefined }),
      when: fc.option(
        fc.record({ key: pick(KEYS), value: fc.integer({ min: 0, max: 1 }), strict: fc.boolean(), form: fc.constantFrom('plain' as const, 'reversed' as const, 'chained' as const) }),
        { nil: undefined },
      ),
      approval: rarely(fc.record({ groups: fc.uniqueArray(pick(GROUPS), { minLength: 1 }), quorum: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }) })),
      mfa: rarely(fc.record({ maxAge: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }) })),
    })
    .map((p) => (p.effect === 'forbid' ? { ...p, approval: undefined, mfa: undefined } : p));

export const simpleActionScope: fc.Arbitrary<ActionScopeSpec> = fc.oneof(
  fc.constant({ kind: 'all' as const }),
  pick(ACTIONS).map((id) => ({ kind: 'eq' as const, id })),
  fc.uniqueArray(pick(ACTIONS), { minLength: 1, maxLength: 3 }).map((ids) => ({ kind: 'in' as const, ids })),
);

export function policyText(p: PolicySpec, id: string): string {
  const ann = [`@id("${id}")`];
  if (p.approval) ann.push(`@approval("${p.approval.groups.join(',')}")`);
  if (p.approval?.quorum !== undefined) ann.push(`@quorum("${p.approval.quorum}")`);
  if (p.mfa) ann.push('@mfa("required")');
  if (p.mfa?.maxAge !== undefined) ann.push(`@mfa_max_age("${p.mfa.maxAge}")`);
  const pr = p.principal;
  const principal = pr.kind === 'all' ? 'principal' : pr.kind === 'group' ? `principal in Group::"${pr.id}"` : pr.kind === 'user' ? `principal == User::"${pr.id}"` : 'principal is Agent';
  const a = p.action;
  const action = a.kind === 'all' ? 'action' : a.kind === 'eq' ? `action == Action::"${a.id}"` : `action in [${a.ids.map((i) => `Action::"${i}"`).join(', ')}]`;
  const r = p.resource;
  const resource = !r ? 'resource' : r.op === 'in' ? `resource in Resource::"${r.id}"` : r.op === 'eq' ? `resource == Resource::"${r.id}"` : `resource is Thing in Resource::"${r.id}"`;
  const w = p.when;
  const strictTest = !w ? '' : w.form === 'reversed' ? `${w.value} == context.${w.key}` : w.form === 'chained' ? `context.${w.key} == ${w.value} && context.${otherKey(w.key)} == 0` : `context.${w.key} == ${w.value}`;
  const cond = !w ? '' : w.strict ? ` when { ${strictTest} }` : ` when { context has ${w.key} && context.${w.key} == ${w.value} }`;
  return `${ann.join(' ')}\n${p.effect} (${principal}, ${action}, ${resource})${cond};\n`;
}

const otherKey = (key: string) => KEYS.find((k) => k !== key)!;

export function bundleText(policies: readonly PolicySpec[]): string {
  return policies.map((p, i) => policyText(p, `p${i}`)).join('\n');
}

export const request: fc.Arbitrary<DecideInput> = fc
  .record({
    type: fc.constantFrom('User' as const, 'Agent' as const),
    id: pick(USERS),
    groups: fc.uniqueArray(pick(GROUPS), { maxLength: 3 }),
    mfa: fc.boolean(),
    mfaAge: fc.integer({ min: 0, max: 1000 }),
    action: pick(ACTIONS),
    resourceName: pick(RESOURCES),
    // A string is never == to a number in Cedar: false, not an error.
    k0: fc.option(fc.oneof(fc.integer({ min: 0, max: 1 }), fc.constant('1')), { nil: undefined }),
    k1: fc.option(fc.oneof(fc.integer({ min: 0, max: 1 }), fc.constant('1')), { nil: undefined }),
  })
  .map((r) =>
    input({
      principal: { type: r.type, id: r.id, groups: r.groups, mfa: r.mfa, mfaAge: r.mfaAge },
      action: r.action,
      resource: { type: 'Thing', id: `${r.resourceName}/x` },
      resourceName: r.resourceName,
      context: { ...(r.k0 === undefined ? {} : { k0: r.k0 }), ...(r.k1 === undefined ? {} : { k1: r.k1 }) },
    }),
  );

/** Whether a policy's scope and condition hold; 'error' when its condition reads a missing key. */
export function matches(p: PolicySpec, d: DecideInput, actionIn: (a: string, id: string) => boolean = (a, id) => a === id): boolean | 'error' {
  const pr = p.principal;
  const { principal, request } = d;
  if (pr.kind === 'group' && !principal.groups.includes(pr.id)) return false;
  if (pr.kind === 'user' && !(principal.type === 'User' && principal.id === pr.id)) return false;
  if (pr.kind === 'agents' && principal.type !== 'Agent') return false;
  const a = p.action;
  if (a.kind === 'eq' && !actionIn(request.action, a.id)) return false;
  if (a.kind === 'in' && !a.ids.some((id) => actionIn(request.action, id))) return false;
  // The model knows no entities.json: a resource's only ancestor is its container.
  const r = p.resource;
  const res = request.resource;
  const isContainer = res.type === 'Resource' && res.id === request.resourceName;
  if (r?.op === 'in' && request.resourceName !== r.id) return false;
  if (r?.op === 'eq' && !(res.type === 'Resource' && res.id === r.id)) return false;
  if (r?.op === 'is-in' && !(res.type === 'Thing' && request.resourceName === r.id && !isContainer)) return false;
  if (!p.when) return true;
  const v = d.context[p.when.key];
  if (v === undefined) return p.when.strict ? 'error' : false;
  if (v !== p.when.value) return false;
  if (!p.when.strict || p.when.form !== 'chained') return true;
  const other = d.context[otherKey(p.when.key)];
  return other === undefined ? 'error' : other === 0;
}
