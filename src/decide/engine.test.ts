import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Effect, Obligations } from '../model/decision.js';
import { bundleFromFiles } from './bundle.js';
import { createEngine } from './engine.js';
import { bundleText, matches, policySpec, request, simpleActionScope, type PolicySpec } from './test-policies.js';
import { input } from './test-support.js';
import type { DecideInput } from './types.js';

const ALL = 'permit (principal, action, resource);\n';

/** What the contract says the decision is, computed without Cedar. */
function model(policies: readonly PolicySpec[], d: DecideInput): { effect: Effect; policies: string[]; obligations: Obligations } {
  const rows = policies.map((p, i) => ({ p, id: `p${i}`, m: matches(p, d) })).sort((a, b) => (a.id < b.id ? -1 : 1));
  const deny = (ids: string[]) => ({ effect: 'deny' as const, policies: ids, obligations: {} });
  const broken = rows.filter((r) => r.p.effect === 'forbid' && r.m === 'error');
  if (broken.length > 0) return deny(broken.map((r) => r.id));
  const forbids = rows.filter((r) => r.p.effect === 'forbid' && r.m === true);
  if (forbids.length > 0) return deny(forbids.map((r) => r.id));
  const permits = rows.filter((r) => r.p.effect === 'permit' && r.m === true);
  if (permits.length === 0) return deny([]);
  // One requirement per distinct (groups, quorum) a permit asks for; their quorums add up.
  const asked = new Map(permits.filter((r) => r.p.approval).map((r) => {
    const req = { groups: [...new Set(r.p.approval!.groups)].sort(), quorum: r.p.approval!.quorum ?? 1 };
    return [JSON.stringify([req.groups, req.quorum]), req] as const;
  }));
  const requirements = [...asked.keys()].sort().map((k) => asked.get(k)!);
  const groups = [...new Set(requirements.flatMap((r) => r.groups))];
  const mfa = permits.filter((r) => r.p.mfa);
  const ages = mfa.flatMap((r) => (r.p.mfa?.maxAge === undefined ? [] : [r.p.mfa.maxAge]));
  const obligations: Obligations = {
    ...(requirements.length ? { approval: { requirements, groups, quorum: requirements.reduce((n, r) => n + r.quorum, 0) } } : {}),
    ...(mfa.length ? { mfa: ages.length ? { maxAge: Math.min(...ages) } : {} } : {}),
  };
  const ids = permits.map((r) => r.id);
  const { principal } = d;
  const maxAge = obligations.mfa?.maxAge;
  if (obligations.mfa && (!principal.mfa || (maxAge !== undefined && principal.mfaAge > maxAge))) return { effect: 'mfa_required', policies: ids, obligations };
  if (obligations.approval) return { effect: 'approval_required', policies: ids, obligations };
  return { effect: 'allow', policies: ids, obligations };
}

describe('engine', () => {
  it('decides as the contract says: forbid wins, no permit denies, obligations combine, mfa by age', () => {
    fc.assert(
      fc.property(fc.array(policySpec(simpleActionScope), { maxLength: 8 }), fc.array(request, { minLength: 1, maxLength: 8 }), (policies, requests) => {
        const engine = createEngine(bundleFromFiles({ 'p.cedar': bundleText(policies) }));
        try {
          for (const d of requests) {
            const got = engine.decide(d);
            assert.deepEqual({ effect: got.effect, policies: [...got.policies], obligations: got.obligations }, model(policies, d));
            assert.equal(got.policyVersion, engine.version);
          }
        } finally {
          engine.dispose();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('denies by default when no permit matches', () => {
    fc.assert(
      fc.property(request, (d) => {
        const engine = createEngine(bundleFromFiles({ 'p.cedar': 'permit (principal == User::"nobody", action, resource);\npermit (principal, action == Action::"other", resource);' }));
        const got = engine.decide(d);
        engine.dispose();
        assert.equal(got.effect, 'deny');
        assert.deepEqual(got.policies, []);
        assert.ok(got.reasons.includes('no permit matched'));
      }),
      { numRuns: 50 },
    );
  });

  it('lets a matching forbid win over any permit, with any obligations', () => {
    const permits = fc.array(policySpec(simpleActionScope).map((p) => ({ ...p, effect: 'permit' as const })), { maxLength: 5 });
    fc.assert(
      fc.property(permits, request, (ps, d) => {
        const text = `${bundleText(ps)}\n@id("stop")\nforbid (principal, action, resource);\n${ALL}`;
        const engine = createEngine(bundleFromFiles({ 'p.cedar': text }));
        const got = engine.decide(d);
        engine.dispose();
        assert.deepEqual([got.effect, got.policies, got.obligations], ['deny', ['stop'], {}]);
      }),
      { numRuns: 50 },
    );
  });

  it('asks for step-up exactly when mfa is missing or older than the max age', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.boolean(), fc.integer({ min: 0, max: 2000 }), (maxAge, mfa, age) => {
        const engine = createEngine(bundleFromFiles({ 'p.cedar': `@mfa("required") @mfa_max_age("${maxAge}")\n${ALL}` }));
        const got = engine.decide(input({ principal: { mfa, mfaAge: age } }));
        engine.dispose();
        assert.equal(got.effect, !mfa || age > maxAge ? 'mfa_required' : 'allow');
        assert.deepEqual(got.obligations, { mfa: { maxAge } });
      }),
    );
  });

  it('denies when a forbid cannot be evaluated, even though a permit matches', () => {
    const engine = createEngine(bundleFromFiles({ 'p.cedar': `${ALL}@id("ban")\nforbid (principal, action, resource) when { context.banned == true };` }));
    const got = engine.decide(input({ context: {} }));
    assert.equal(got.effect, 'deny');
    assert.deepEqual(got.policies, ['ban']);
    assert.match(got.reasons[0]!, /forbid ban could not be evaluated/);
    assert.equal(engine.decide(input({ context: { banned: false } })).effect, 'allow');
  });

  it('skips a permit that cannot be evaluated and says so', () => {
    const engine = createEngine(bundleFromFiles({ 'p.cedar': `@id("broken")\n@approval("x")\npermit (principal, action, resource) when { context.nope };\n@id("ok")\n${ALL}` }));
    const got = engine.decide(input());
    assert.deepEqual([got.effect, got.policies], ['allow', ['ok']]);
    assert.ok(got.reasons.some((r) => r.startsWith('permit broken not applied')));
  });

  it('denies on an engine failure (a context value Cedar cannot take)', () => {
    const engine = createEngine(bundleFromFiles({ 'p.cedar': 'permit (principal, action, resource) when { context.ratio != 1 };' }));
    const got = engine.decide(input({ context: { ratio: 0.5 } }));
    assert.equal(got.effect, 'deny');
    assert.match(got.reasons[0]!, /policy engine failure/);
  });

  it('shows Cedar only the context keys the policies read', () => {
    const engine = createEngine(bundleFromFiles({ 'p.cedar': 'permit (principal, action, resource) when { context.model == "m" };' }));
    assert.equal(engine.decide(input({ context: { model: 'm', unread: 0.5 } })).effect, 'allow');
  });

  it("gives a model the configured attributes of its resource, its own entities.json attributes winning", () => {
    const policy = 'permit (principal, action, resource) when { resource has environment && resource.environment == "production" };';
    const engine = createEngine(bundleFromFiles({ 'p.cedar': policy }));
    assert.equal(engine.decide(input({ resourceAttributes: { environment: 'production' } })).effect, 'allow');
    assert.equal(engine.decide(input({ resourceAttributes: { environment: 'staging' } })).effect, 'deny');
    const entities = JSON.stringify([{ uid: { type: 'Model', id: 'llm/gpt-4o-mini' }, attrs: { environment: 'staging' }, parents: [] }]);
    const own = createEngine(bundleFromFiles({ 'p.cedar': policy, 'entities.json': entities }));
    assert.equal(own.decide(input({ resourceAttributes: { environment: 'production' } })).effect, 'deny');
  });

  it('denies an action no policy can match without asking Cedar', () => {
    const engine = createEngine(bundleFromFiles({ 'p.cedar': 'permit (principal, action == Action::"a0", resource);' }));
    const got = engine.decide(input({ action: 'unknown.action' }));
    assert.deepEqual([got.effect, got.policies], ['deny', []]);
  });

  it('keeps engines apart, and a disposed engine denies', () => {
    const allow = createEngine(bundleFromFiles({ 'p.cedar': ALL }));
    const none = createEngine(bundleFromFiles({ 'p.cedar': 'forbid (principal, action, resource);' }));
    assert.equal(allow.decide(input()).effect, 'allow');
    assert.equal(none.decide(input()).effect, 'deny');
    none.dispose();
    assert.equal(allow.decide(input({ principal: { id: 'bob' } })).effect, 'allow');
    allow.dispose();
    assert.equal(allow.decide(input({ principal: { id: 'carol' } })).effect, 'deny');
  });
});
