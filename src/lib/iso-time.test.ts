import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isoTime } from './iso-time.js';

describe('isoTime', () => {
  it('is Date#toISOString for any date, in any order of calls', () => {
    const max = 8.64e15;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -max, max }), { minLength: 1, maxLength: 20 }), (times) => {
        for (const t of times) assert.equal(isoTime(new Date(t)), new Date(t).toISOString());
      }),
      { numRuns: 500 },
    );
    const now = Date.now();
    for (let t = now - 70_000; t < now + 70_000; t += 997) assert.equal(isoTime(new Date(t)), new Date(t).toISOString());
  });

  it('throws as toISOString does for an invalid date', () => {
    assert.throws(() => isoTime(new Date(NaN)), RangeError);
  });
});
