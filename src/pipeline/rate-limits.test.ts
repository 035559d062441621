import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBuckets } from './rate-limits.js';

describe('token buckets', () => {
  it('admit a burst, then the refill rate, per key', () => {
    let now = 0;
    const b = new TokenBuckets({ per_second: 2, burst: 3 }, () => now);
    assert.deepEqual([1, 2, 3, 4].map(() => b.take('a')), [true, true, true, false]);
    assert.equal(b.take('b'), true, 'another key has its own bucket');
    assert.equal(b.retryAfter('a'), 1);
    now += 500;
    assert.equal(b.take('a'), true);
    assert.equal(b.take('a'), false);
    now += 10_000;
    assert.deepEqual([1, 2, 3, 4].map(() => b.take('a')), [true, true, true, false], 'never more than the burst');
  });

  it('admit everything when the rate is 0 (off)', () => {
    const b = new TokenBuckets({ per_second: 0, burst: 1 });
    for (let i = 0; i < 100; i++) assert.equal(b.take('a'), true);
  });
});
