import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LruCache } from './lru-cache.js';

describe('LruCache', () => {
  it('holds at most its capacity, and answers what was last set for a key it holds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.array(fc.tuple(fc.boolean(), fc.nat(12), fc.nat()), { maxLength: 200 }), (capacity, ops) => {
        const cache = new LruCache<number, number>(capacity);
        const last = new Map<number, number>();
        for (const [isSet, key, value] of ops) {
          if (isSet) {
            cache.set(key, value);
            last.set(key, value);
          } else {
            const got = cache.get(key);
            if (got !== undefined) assert.equal(got, last.get(key));
          }
          assert.ok(cache.size <= capacity);
        }
      }),
    );
  });

  it('never evicts a key that is read at least once every capacity/2 insertions', () => {
    const cache = new LruCache<string, number>(10);
    cache.set('hot', 1);
    for (let i = 0; i < 1000; i++) {
      cache.set(`cold${i}`, i);
      if (i % 5 === 0) assert.equal(cache.get('hot'), 1, `after ${i + 1} insertions`);
    }
    assert.equal(cache.get('cold0'), undefined, 'the cold keys were evicted instead');
  });
});
