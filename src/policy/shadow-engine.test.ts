import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bundleFromFiles, createEngine, type PolicyEngine } from '../decide/index.js';
import { input } from '../decide/test-support.js';
import type { Effect } from '../model/decision.js';
import { shadowed } from './shadow-engine.js';

const engine = (text: string) => createEngine(bundleFromFiles({ 'p.cedar': text }));
const ALLOW = '@id("all") permit (principal, action, resource);';
const ADMINS = '@id("admins") permit (principal in Group::"admins", action, resource);';

function throwing(): PolicyEngine {
  return { version: 'broken', decide: () => { throw new Error('boom'); }, dispose: () => undefined };
}

describe('shadowed engine', () => {
  it('answers with the live decision whatever the shadow decides, attaching the shadow only when it differs', () => {
    const lives = [ALLOW, ADMINS, 'forbid (principal, action, resource);', '@approval("leads") permit (principal, action, resource);'].map(engine);
    const shadows = [ALLOW, ADMINS, '@mfa("required") permit (principal, action, resource);', ''].map(engine);
    fc.assert(
      fc.property(fc.nat(lives.length - 1), fc.nat(shadows.length - 1), fc.subarray(['admins', 'eng']), (l, s, groups) => {
        const d = input({ principal: { groups } });
        const alone = lives[l]!.decide(d);
        const got = shadowed(() => lives[l]!, () => shadows[s]!)().decide(d);
        const theirs = shadows[s]!.decide(d);
        const { shadow, ...live } = got;
        assert.deepEqual(live, alone);
        if (theirs.effect === alone.effect) assert.equal(shadow, undefined);
        else assert.deepEqual(shadow, { effect: theirs.effect, policies: theirs.policies, policyVersion: shadows[s]!.version });
      }),
      { numRuns: 100 },
    );
  });

  it('attaches the candidate\'s effect, policies and version when it disagrees', () => {
    const live = engine(ALLOW);
    const shadow = engine(`${ALLOW}\n@id("no-bob") forbid (principal == User::"bob", action, resource);`);
    const got = shadowed(() => live, () => shadow)().decide(input({ principal: { id: 'bob' } }));
    assert.equal(got.effect, 'allow');
    assert.deepEqual(got.policies, ['all']);
    assert.deepEqual(got.shadow, { effect: 'deny', policies: ['no-bob'], policyVersion: shadow.version });
  });

  it('swallows a shadow that throws, a shadow getter that throws and an observer that throws', () => {
    const live = engine(ALLOW);
    const seen: [Effect, string][] = [];
    const viaThrowing = shadowed(() => live, throwing, (a, b) => seen.push([a, b]))();
    assert.equal(viaThrowing.decide(input()).effect, 'allow');
    assert.equal(viaThrowing.decide(input()).shadow, undefined);
    assert.deepEqual(seen[0], ['allow', 'error']);
    const badGetter = shadowed(() => live, () => { throw new Error('no'); })();
    assert.equal(badGetter, live);
    const badObserver = shadowed(() => live, () => engine(''), () => { throw new Error('metrics down'); })();
    const got = badObserver.decide(input());
    assert.deepEqual([got.effect, got.shadow?.effect], ['allow', 'deny']);
  });

  it('counts every comparison, agreeing or not', () => {
    const live = engine(ADMINS);
    const seen: string[] = [];
    const e = shadowed(() => live, () => engine(ALLOW), (a, b) => seen.push(`${a}>${b}`))();
    e.decide(input({ principal: { groups: ['admins'] } }));
    e.decide(input());
    assert.deepEqual(seen, ['allow>allow', 'deny>allow']);
  });

  it('is the live engine itself while there is no shadow, and follows either engine when it is swapped', () => {
    let live = engine(ALLOW);
    let shadow: PolicyEngine | undefined;
    const current = shadowed(() => live, () => shadow);
    assert.equal(current(), live);
    shadow = engine('');
    const first = current();
    assert.equal(current(), first, 'the pair is built once per pair of engines');
    assert.equal(first.version, live.version);
    live = engine(ADMINS);
    assert.notEqual(current(), first);
    assert.equal(current().version, live.version);
    assert.equal(current().decide(input()).effect, 'deny');
  });
});
