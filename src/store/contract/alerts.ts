// Contract: an alert firing is claimed once, whichever replica asks first.
import assert from 'node:assert/strict';
import { T, type StoreTest } from './harness.js';

export function alertsContract(test: StoreTest): void {
  test('claims an alert firing exactly once across replicas', async (s, replica) => {
    const claims = await Promise.all([s, replica, s, replica].map((x) => x.alerts.claimAlert('rule|key|0', T)));
    assert.equal(claims.filter(Boolean).length, 1);
    assert.equal(await s.alerts.claimAlert('rule|key|300000', T), true, 'another window is another firing');
  });
}
