import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { render } from './exposition.js';
import { LatencyHistogram, RequestCounter } from './request-instruments.js';

describe('request instruments', () => {
  it('render a histogram exactly as prom-client does', async () => {
    const bounds = [0.001, 0.005, 0.1, 1];
    const registry = new Registry();
    const reference = new Histogram({ name: 'h_seconds', help: 'Latency', labelNames: ['resource'], buckets: bounds, registers: [registry] });
    const ours = new LatencyHistogram('h_seconds', 'Latency', bounds, ['resource']);
    for (const [v, r] of [[0.0005, 'a'], [0.001, 'a'], [0.003, 'b'], [0.5, 'a'], [7, 'b'], [0.1, 'a']] as const) {
      reference.observe({ resource: r }, v);
      ours.observe(v, [r]);
    }
    assert.equal(render([ours.family()], 'prometheus'), await registry.metrics());
  });

  it('count by label set and escape label values', () => {
    const c = new RequestCounter('requests_total', 'Requests', ['resource', 'decision']);
    c.inc(['llm', 'allow']);
    c.inc(['llm', 'allow']);
    c.inc(['we"ird\\', 'deny']);
    assert.equal(c.value(['llm', 'allow']), 2);
    const text = render([c.family()], 'prometheus');
    assert.match(text, /^requests_total\{resource="llm",decision="allow"\} 2$/m);
    assert.match(text, /^requests_total\{resource="we\\"ird\\\\",decision="deny"\} 1$/m);
  });
});
