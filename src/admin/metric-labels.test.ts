import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GatewayMetrics } from './metrics.js';
import { actionLabel } from './metric-labels.js';

describe('metric labels', () => {
  it('keep built-in actions and count any other action as `other`', () => {
    assert.equal(actionLabel('model.invoke'), 'model.invoke');
    assert.equal(actionLabel('k8s.scale'), 'k8s.scale');
    assert.equal(actionLabel(undefined), '-');
    fc.assert(fc.property(fc.string(), (a) => [a, 'other'].includes(actionLabel(a))));
  });

  it('keep /metrics bounded whatever actions callers name', async () => {
    const metrics = new GatewayMetrics(() => 0);
    for (let i = 0; i < 300; i++) {
      metrics.requests.inc(['llm', actionLabel(`made.up.${i}`), 'deny']);
      metrics.controlPlane.inc({ action: actionLabel(`made.up.${i}`), decision: 'deny' });
    }
    const text = await metrics.exposition();
    assert.ok(!text.includes('made.up'));
    assert.ok(text.length < 20_000, `${text.length} bytes`);
  });
});
