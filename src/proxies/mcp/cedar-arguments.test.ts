import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bundleFromFiles, createEngine } from '../../decide/index.js';
import type { Principal } from '../../model/principal.js';
import { cedarRecordOf } from './cedar-arguments.js';

const alice: Principal = { type: 'User', id: 'alice', groups: ['sre'], mfa: false, mfaAge: 1e9, authMethod: 'oidc' };

function decideWith(policy: string, args: unknown) {
  const engine = createEngine(bundleFromFiles({ 'p.cedar': policy }), { cacheSize: 0 });
  return engine.decide({
    principal: alice,
    request: { action: 'tool.call', resource: { type: 'Tool', id: 'infra/scale' }, resourceName: 'infra', context: {} },
    context: { tool: 'scale', arguments: cedarRecordOf(args as Record<string, unknown>) },
  }).effect;
}

describe('tool arguments as Cedar values', () => {
  it('makes integers Longs, short fractions decimals and the rest strings', () => {
    assert.deepEqual(cedarRecordOf({ a: 20, b: 1.5, c: 1e-7, d: 1e300, e: -0.25, f: 2 ** 60 }), {
      a: 20,
      b: { __extn: { fn: 'decimal', arg: '1.5' } },
      c: '1e-7',
      d: '1e+300',
      e: { __extn: { fn: 'decimal', arg: '-0.25' } },
      f: '1152921504606847000',
    });
  });

  it('leaves nulls and Cedar-reserved keys out, keeps any other key', () => {
    const parsed = JSON.parse('{"x":null,"list":[1,null,[2]],"__entity":{"type":"User","id":"root"},"__proto__":{"p":1},"dry-run":true,"":"empty"}') as Record<string, unknown>;
    const r = cedarRecordOf(parsed);
    assert.deepEqual(Object.keys(r), ['list', '__proto__', 'dry-run', '']);
    assert.deepEqual(r['list'], [1, [2]]);
    assert.equal(Object.getPrototypeOf(r), Object.prototype);
  });

  it('lets a policy compare arguments, including keys that are not identifiers', () => {
    const p = `permit (principal, action, resource) when { context.arguments.replicas > 10 && context.arguments["dry-run"] == false && context.arguments.ratio.lessThan(decimal("0.5")) };`;
    assert.equal(decideWith(p, { replicas: 20, 'dry-run': false, ratio: 0.25 }), 'allow');
    assert.equal(decideWith(p, { replicas: 5, 'dry-run': false, ratio: 0.25 }), 'deny');
  });

  it('never lets an argument pose as an entity', () => {
    const p = `permit (principal, action, resource) when { context.arguments has owner && context.arguments.owner == User::"alice" };`;
    assert.equal(decideWith(p, { owner: { __entity: { type: 'User', id: 'alice' } } }), 'deny');
  });

  it('turns any JSON object into a value the engine takes', () => {
    const p = `permit (principal, action, resource) when { context.arguments has k };`;
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 })), (args) => {
        const effect = decideWith(p, args);
        assert.equal(effect, args['k'] === null || args['k'] === undefined || !Object.hasOwn(args, 'k') ? 'deny' : 'allow');
      }),
      { numRuns: 200 },
    );
  });
});
