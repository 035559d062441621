import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { negotiateFormat, render, type MetricFamily } from './exposition.js';

const FAMILIES: MetricFamily[] = [
  { name: 'x_requests_total', help: 'Requests by "kind"', type: 'counter', values: [{ labels: { kind: 'a' }, value: 2 }] },
  { name: 'x_depth', help: 'Depth', type: 'gauge', values: [{ labels: {}, value: 3 }] },
  {
    name: 'x_seconds',
    help: 'Latency',
    type: 'histogram',
    values: [
      { metricName: 'x_seconds_bucket', labels: { le: 0.1 }, value: 1 },
      { metricName: 'x_seconds_bucket', labels: { le: '+Inf' }, value: 2 },
      { metricName: 'x_seconds_sum', labels: {}, value: 0.55 },
      { metricName: 'x_seconds_count', labels: {}, value: 2 },
    ],
  },
];

describe('metrics exposition', () => {
  it('serves OpenMetrics when the scraper prefers it, the Prometheus text format otherwise', () => {
    const prometheusDefault = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    assert.equal(negotiateFormat(prometheusDefault), 'openmetrics');
    assert.equal(negotiateFormat('application/openmetrics-text'), 'openmetrics');
    assert.equal(negotiateFormat(undefined), 'prometheus');
    assert.equal(negotiateFormat('*/*'), 'prometheus');
    assert.equal(negotiateFormat('text/plain;version=0.0.4'), 'prometheus');
    assert.equal(negotiateFormat('application/openmetrics-text;q=0.3,text/plain;q=0.5'), 'prometheus');
    assert.equal(negotiateFormat('application/openmetrics-text;q=0'), 'prometheus');
  });

  it('writes the Prometheus text format with counters named _total', () => {
    const text = render(FAMILIES, 'prometheus');
    assert.match(text, /^# TYPE x_requests_total counter$/m);
    assert.match(text, /^x_requests_total\{kind="a"\} 2$/m);
    assert.match(text, /^# HELP x_requests_total Requests by "kind"$/m);
    assert.ok(!text.includes('# EOF'));
  });

  it('writes OpenMetrics: counter families without _total, samples with it, escaped HELP, no blank line, # EOF', () => {
    const text = render(FAMILIES, 'openmetrics');
    assert.match(text, /^# TYPE x_requests counter\n# HELP x_requests Requests by \\"kind\\"\nx_requests_total\{kind="a"\} 2$/m);
    assert.match(text, /^x_seconds_bucket\{le="0\.1"\} 1$/m);
    assert.match(text, /^x_seconds_bucket\{le="\+Inf"\} 2$/m);
    assert.ok(!text.includes('\n\n'));
    assert.ok(text.endsWith('\n# EOF\n'));
  });
});
