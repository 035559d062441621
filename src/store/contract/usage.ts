// Contract: token counts per principal and day add up, across replicas, and stay apart.
import assert from 'node:assert/strict';
import type { StoreTest } from './harness.js';

export function usageContract(test: StoreTest): void {
  test('adds token counts per principal and day, from several replicas at once', async (s, replica) => {
    const alice = 'User::"alice"';
    assert.equal(await s.usage.tokensOn(alice, '2030-01-01'), 0);
    await Promise.all([
      s.usage.addTokens([{ principal: alice, day: '2030-01-01', tokens: 10 }]),
      replica.usage.addTokens([
        { principal: alice, day: '2030-01-01', tokens: 5 },
        { principal: alice, day: '2030-01-02', tokens: 7 },
        { principal: 'Agent::"alice"', day: '2030-01-01', tokens: 100 },
      ]),
    ]);
    await s.usage.addTokens([]);
    assert.equal(await replica.usage.tokensOn(alice, '2030-01-01'), 15);
    assert.equal(await s.usage.tokensOn(alice, '2030-01-02'), 7);
    assert.equal(await s.usage.tokensOn('Agent::"alice"', '2030-01-01'), 100);
  });
}
