import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAuthorized } from './cedar.js';
import fc from 'fast-check';
import { bundleFromFiles } from './bundle.js';
import { createEngine } from './engine.js';
import { finalize, fromAnswer } from './outcome.js';
import { PolicySlices } from './policy-slices.js';
import { forPrincipals } from './slice-plan.js';
import { EntityIndex } from './request-entities.js';
import { bundleText, policySpec, request, type ActionScopeSpec } from './test-policies.js';
import type { DecideInput, PolicyBundle } from './types.js';

// Actions: a0, a1 in grp; grp and a2 in top; a3 stands alone; a9 is named by nothing at all.
// Resources: r2 inside r0 inside r1 (which has no entity of its own); Thing::"special" has parent r1.
const ENTITIES = JSON.stringify([
  { uid: { type: 'Action', id: 'a0' }, attrs: {}, parents: [{ type: 'Action', id: 'grp' }] },
  { uid: { type: 'Action', id: 'a1' }, attrs: {}, parents: [{ type: 'Action', id: 'grp' }] },
  { uid: { type: 'Action', id: 'grp' }, attrs: {}, parents: [{ type: 'Action', id: 'top' }] },
  { uid: { type: 'Action', id: 'a2' }, attrs: {}, parents: [{ type: 'Action', id: 'top' }] },
  { uid: { type: 'Group', id: 'g1' }, attrs: {}, parents: [{ type: 'Group', id: 'g0' }] },
  { uid: { type: 'Resource', id: 'r2' }, attrs: {}, parents: [{ type: 'Resource', id: 'r0' }] },
  { uid: { type: 'Resource', id: 'r0' }, attrs: { environment: 'prod' }, parents: [{ type: 'Resource', id: 'r1' }] },
  { uid: { type: 'Thing', id: 'special' }, attrs: {}, parents: [{ type: 'Resource', id: 'r1' }] },
]);
const SCOPE_IDS = ['a0', 'a1', 'a2', 'a3', 'grp', 'top'] as const;
const REQUEST_ACTIONS = [...SCOPE_IDS, 'a9'] as const;

const groupedScope: fc.Arbitrary<ActionScopeSpec> = fc.oneof(
  fc.constant({ kind: 'all' as const }),
  fc.constantFrom(...SCOPE_IDS).map((id) => ({ kind: 'eq' as const, id })),
  fc.uniqueArray(fc.constantFrom(...SCOPE_IDS), { minLength: 1, maxLength: 3 }).map((ids) => ({ kind: 'in' as const, ids })),
);
// Every shape of resource the container cut must handle, with known and unknown containers.
const resourceShape = fc.oneof(
  fc.constantFrom('r0', 'r1', 'r2', 'r9').map((c) => ({ resource: { type: 'Thing', id: `${c}/x` }, resourceName: c })),
  fc.constantFrom('r0', 'r1', 'r2', 'r9').map((c) => ({ resource: { type: 'Resource', id: c }, resourceName: c })),
  fc.constantFrom('r0', 'r9').map((c) => ({ resource: { type: 'Resource', id: 'r5' }, resourceName: c })),
  fc.constantFrom('r0', 'r2').map((c) => ({ resource: { type: 'Thing', id: 'special' }, resourceName: c })),
  fc.constant({ resource: { type: 'Airlock', id: 'control-plane' }, resourceName: '' }),
);
const groupedRequest = fc
  .tuple(request, fc.constantFrom(...REQUEST_ACTIONS), resourceShape, fc.option(fc.constantFrom('prod', 'dev'), { nil: undefined }))
  .map(([d, action, shape, env]): DecideInput => ({
    ...d,
    request: { ...d.request, action, ...shape },
    ...(env ? { resourceAttributes: { environment: env } } : {}),
  }));

/** The whole bundle in one unsliced call, mapped by the same outcome rules. */
function reference(bundle: PolicyBundle, d: DecideInput) {
  const answer = isAuthorized({
    principal: { type: d.principal.type, id: d.principal.id },
    action: { type: 'Action', id: d.request.action },
    resource: d.request.resource,
    context: d.context,
    policies: { staticPolicies: Object.fromEntries(bundle.policies.map((p) => [p.id, p.text])) },
    entities: new EntityIndex(bundle).forRequest(d),
  });
  const byId = new Map(bundle.policies.map((p) => [p.id, p]));
  return finalize(fromAnswer(answer, byId), d.principal, bundle.version);
}

const comparable = (x: { effect: string; policies: readonly string[]; obligations: object; reasons: readonly string[] }) => ({
  effect: x.effect,
  policies: x.policies,
  obligations: x.obligations,
  // The unsliced call cannot know that a slice was empty; compare the policy-level reasons.
  reasons: x.reasons.map((r) => r.replace(/ \(no policy applies .*\)$/, '')),
});

describe('slicing', () => {
  it('gives the same decisions as evaluating the whole bundle, through action groups, resource hierarchies and group hierarchies', () => {
    fc.assert(
      fc.property(fc.array(policySpec(groupedScope), { maxLength: 10 }), fc.array(groupedRequest, { minLength: 1, maxLength: 10 }), (policies, requests) => {
        const bundle = bundleFromFiles({ 'p.cedar': bundleText(policies), 'entities.json': ENTITIES });
        const engine = createEngine(bundle, { cacheSize: 0 });
        try {
          for (const d of requests) assert.deepEqual(comparable(engine.decide(d)), comparable(reference(bundle, d)));
        } finally {
          engine.dispose();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('matches `action in` groups declared in the schema as well', () => {
    const bundle = bundleFromFiles({
      'schema.cedarschema': 'entity User; entity Thing; entity Resource; action "all"; action "read" in ["all"] appliesTo { principal: User, resource: Thing };',
      'p.cedar': 'permit (principal, action in Action::"all", resource);',
    });
    const engine = createEngine(bundle);
    const d = fc.sample(request, 1)[0]!;
    assert.equal(engine.decide({ ...d, request: { ...d.request, action: 'read' } }).effect, 'allow');
    assert.equal(engine.decide({ ...d, request: { ...d.request, action: 'write' } }).effect, 'deny');
    engine.dispose();
  });

  it('hands Cedar only the policies pinned to what the principal reaches, or the whole slice when it reaches several', () => {
    const bundle = bundleFromFiles({
      'p.cedar': [
        '@id("any") permit (principal, action, resource) when { context has k0 };',
        '@id("g0") permit (principal in Group::"g0", action, resource);',
        '@id("g2") permit (principal in Group::"g2", action, resource);',
        '@id("u0") forbid (principal == User::"u0", action, resource);',
      ].join('\n'),
      'entities.json': ENTITIES,
    });
    const slices = new PolicySlices(bundle, new EntityIndex(bundle));
    const setFor = (id: string, groups: string[]) => {
      const d = { ...fc.sample(request, 1)[0]!, principal: { type: 'User' as const, id, groups, mfa: false, mfaAge: 0, authMethod: 'oidc' as const } };
      return slices.forPrincipal(slices.forRequest(d), d).policies.map((p) => p.id);
    };
    try {
      assert.deepEqual(setFor('u9', []), ['any']);
      assert.deepEqual(setFor('u9', ['g2']), ['any', 'g2']);
      assert.deepEqual(setFor('u9', ['g1']), ['any', 'g0'], 'g1 is inside g0 (entities.json)');
      assert.deepEqual(setFor('u0', []), ['any', 'u0']);
      assert.deepEqual(setFor('u0', ['g2']), ['any', 'g0', 'g2', 'u0'], 'two pinned entities: the whole slice');
    } finally {
      slices.dispose();
    }
  });

  it('leaves a slice whole when cutting it by principal would copy its unpinned policies too often', () => {
    const pinned = (n: number) => Array.from({ length: n }, (_, i) => `permit (principal in Group::"x${i}", action, resource);`);
    const unpinned = (n: number) => Array.from({ length: n }, () => 'permit (principal, action, resource) when { context has k0 };');
    const cut = (text: string[]) => forPrincipals(bundleFromFiles({ 'p.cedar': text.join('\n') }).policies) !== undefined;
    assert.equal(cut(pinned(3)), true);
    assert.equal(cut(unpinned(3)), false, 'nothing pinned');
    assert.equal(cut([...pinned(300)]), false, 'too many pinned entities');
    assert.equal(cut([...pinned(40), ...unpinned(10)]), false, '40 sets x 10 copies');
    assert.equal(cut([...pinned(10), ...unpinned(5)]), true);
  });
});
