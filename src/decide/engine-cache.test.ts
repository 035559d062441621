import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bundleFromFiles } from './bundle.js';
import { createEngine } from './engine.js';
import { ACTIONS, bundleText, GROUPS, policySpec, request, simpleActionScope, USERS } from './test-policies.js';
import { input } from './test-support.js';
import type { DecideInput } from './types.js';

// Policies that read what the random ones do not: the container's attributes, the whole context
// (for one action only, so that the other slices key on single context values).
const EXTRA = `
@id("prod-needs-k0")
forbid (principal, action, resource is Resource) when { resource has environment && resource.environment == "prod" && !(context has k0) };
@id("exact-context")
permit (principal in Group::"g2", action == Action::"a3", resource) when { context == {"k0": 1} };
`;

const containerRequest = fc
  .tuple(request, fc.constantFrom('prod', 'dev'))
  .map(([d, env]): DecideInput => ({
    ...d,
    request: { ...d.request, resource: { type: 'Resource', id: d.request.resourceName } },
    resourceAttributes: { environment: env },
  }));

describe('decision cache', () => {
  it('never changes a decision: cached and uncached engines agree on near-identical requests', () => {
    // Variations of one or two base requests, a field at a time, so that keys nearly collide.
    const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    const change = fc.oneof(
      fc.constant({}),
      opt(fc.constantFrom(...USERS)).map((id) => ({ id })),
      opt(fc.constantFrom('User' as const, 'Agent' as const)).map((type) => ({ type })),
      opt(fc.uniqueArray(fc.constantFrom(...GROUPS))).map((groups) => ({ groups })),
      opt(fc.constantFrom(...ACTIONS)).map((action) => ({ action })),
      opt(fc.constantFrom(0, 1, 'absent' as const)).map((k0) => ({ k0 })),
      opt(fc.constantFrom(0, 1, 'absent' as const)).map((k1) => ({ k1 })),
      opt(fc.constantFrom('prod', 'dev')).map((env) => ({ env })),
    );
    const variant = fc.tuple(change, fc.boolean(), fc.nat({ max: 900 })).map(([c, mfa, mfaAge]) => ({
      id: undefined, type: undefined, groups: undefined, action: undefined, k0: undefined, k1: undefined, env: undefined, ...c, mfa, mfaAge,
    }));
    const apply = (base: DecideInput, v: typeof variant extends fc.Arbitrary<infer V> ? V : never): DecideInput => {
      const context = { ...base.context };
      for (const k of ['k0', 'k1'] as const) {
        if (v[k] === 'absent') delete context[k];
        else if (v[k] !== undefined) context[k] = v[k];
      }
      return {
        principal: { ...base.principal, id: v.id ?? base.principal.id, type: v.type ?? base.principal.type, groups: v.groups ?? base.principal.groups, mfa: v.mfa, mfaAge: v.mfaAge },
        request: { ...base.request, action: v.action ?? base.request.action },
        context,
        ...(base.resourceAttributes ? { resourceAttributes: v.env ? { environment: v.env } : base.resourceAttributes } : {}),
      };
    };
    const bases = fc.array(fc.oneof(request, containerRequest), { minLength: 1, maxLength: 2 });
    fc.assert(
      fc.property(fc.array(policySpec(simpleActionScope), { maxLength: 8 }), bases, fc.array(fc.tuple(fc.nat(), variant), { minLength: 1, maxLength: 30 }), (policies, requests, picks) => {
        const bundle = bundleFromFiles({ 'p.cedar': bundleText(policies) + EXTRA });
        const cached = createEngine(bundle);
        const uncached = createEngine(bundle, { cacheSize: 0 });
        try {
          for (const [i, v] of picks) {
            const d = apply(requests[i % requests.length]!, v);
            assert.deepEqual(cached.decide(d), uncached.decide(d));
          }
        } finally {
          cached.dispose();
          uncached.dispose();
        }
      }),
      { numRuns: 200 },
    );
  });

  const engine = () =>
    createEngine(
      bundleFromFiles({
        'p.cedar': `
          permit (principal == User::"alice", action == Action::"a0", resource);
          permit (principal in Group::"ml", action == Action::"a1", resource);
          permit (principal, action == Action::"a2", resource) when { context has k0 && context.k0 == 1 };
          @mfa("required") @mfa_max_age("60")
          permit (principal, action == Action::"a3", resource);
          permit (principal, action == Action::"a4", resource is Resource) when { resource.environment == "dev" };`,
      }),
    );

  it('does not give one principal the decision cached for another', () => {
    const e = engine();
    assert.equal(e.decide(input({ action: 'a0', principal: { id: 'alice' } })).effect, 'allow');
    assert.equal(e.decide(input({ action: 'a0', principal: { id: 'bob' } })).effect, 'deny');
    assert.equal(e.decide(input({ action: 'a0', principal: { id: 'alice', type: 'Agent' } })).effect, 'deny');
    e.dispose();
  });

  it('does not carry a decision over to a principal with other groups', () => {
    const e = engine();
    assert.equal(e.decide(input({ action: 'a1', principal: { groups: ['ml'] } })).effect, 'allow');
    assert.equal(e.decide(input({ action: 'a1', principal: { groups: [] } })).effect, 'deny');
    assert.equal(e.decide(input({ action: 'a1', principal: { groups: ['ml', 'x'] } })).effect, 'allow');
    e.dispose();
  });

  it('keys on the context values the policies read, and on their absence', () => {
    const e = engine();
    assert.equal(e.decide(input({ action: 'a2', context: { k0: 1 } })).effect, 'allow');
    assert.equal(e.decide(input({ action: 'a2', context: { k0: 0 } })).effect, 'deny');
    assert.equal(e.decide(input({ action: 'a2', context: {} })).effect, 'deny');
    assert.equal(e.decide(input({ action: 'a2', context: { k0: 1, other: 5 } })).effect, 'allow');
    e.dispose();
  });

  it('applies the mfa obligation per call, not from the cache', () => {
    const e = engine();
    assert.equal(e.decide(input({ action: 'a3', principal: { mfa: true, mfaAge: 10 } })).effect, 'allow');
    assert.equal(e.decide(input({ action: 'a3', principal: { mfa: true, mfaAge: 61 } })).effect, 'mfa_required');
    assert.equal(e.decide(input({ action: 'a3', principal: { mfa: false, mfaAge: 0 } })).effect, 'mfa_required');
    e.dispose();
  });

  it('keys on the resource attributes from the gateway config', () => {
    const e = engine();
    const req = (environment: string) =>
      input({ action: 'a4', resource: { type: 'Resource', id: 'llm' }, resourceName: 'llm', resourceAttributes: { environment } });
    assert.equal(e.decide(req('dev')).effect, 'allow');
    assert.equal(e.decide(req('prod')).effect, 'deny');
    e.dispose();
  });
});
