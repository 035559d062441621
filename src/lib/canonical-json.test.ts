import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalDigest, canonicalJson } from './canonical-json.js';

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and drops spacing', () => {
    assert.equal(canonicalJson({ b: 1, a: [true, null, 'x'], '\u20ac': 0, '\ud83d\ude00': 1, '\r': 2 }), '{"\\r":2,"a":[true,null,"x"],"b":1,"\u20ac":0,"\ud83d\ude00":1}');
  });

  it('writes numbers as ECMAScript does, as the RFC examples show', () => {
    assert.equal(canonicalJson([333333333.33333329, 1e30, 4.5, 0.002, 1e-27, -0]), '[333333333.3333333,1e+30,4.5,0.002,1e-27,0]');
  });

  it('refuses values JSON cannot hold', () => {
    assert.throws(() => canonicalJson(Number.NaN));
    assert.throws(() => canonicalJson(() => 1));
  });

  it('gives the same digest for the same value whatever the key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const reordered = JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).reverse()) : x))) as unknown;
        assert.equal(canonicalDigest(reordered), canonicalDigest(v));
        assert.deepEqual(JSON.parse(canonicalJson(v)), JSON.parse(JSON.stringify(v)));
      }),
    );
  });
});
