// /metrics as standard tooling reads it, from a real `airlock serve` that has served requests:
// the Prometheus text format passes `promtool check metrics` (Debian's prometheus package), and a
// scraper that asks for OpenMetrics (Prometheus's own Accept header) gets OpenMetrics 1.0 that the
// reference parser (python3-prometheus-client) accepts, with the same metric families.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startDemoUpstream } from '../../src/dev/demo-upstream.js';
import { startAirlock, type RunningAirlock } from '../support/airlock-process.js';

const PROMTOOL = '/usr/bin/promtool';
const PYTHON = '/usr/bin/python3'; // Debian's, where python3-prometheus-client installs
const hasOpenMetricsParser = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import prometheus_client.openmetrics.parser']).status === 0;
/** Under CI the tools are installed by .ci/run; a developer's machine may lack them. */
const needs = (ok: boolean, what: string) => (ok || process.env.CI ? false : `${what} is not installed (see .ci/run)`);

const PROMETHEUS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

let airlock: RunningAirlock;
let upstream: Awaited<ReturnType<typeof startDemoUpstream>>;

before(async () => {
  upstream = await startDemoUpstream();
  airlock = await startAirlock({
    policies: { 'p.cedar': 'permit(principal, action == Action::"model.invoke", resource in Resource::"llm");' },
    resources: [{ name: 'llm', type: 'openai', upstream: upstream.url }],
  });
  const token = await airlock.token({ sub: 'alice' });
  for (const model of ['gpt-4o-mini', 'gpt-4o']) {
    await fetch(`${airlock.dataUrl}/llm/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
  }
  await fetch(`${airlock.dataUrl}/llm/v1/models`, { headers: { authorization: `Bearer ${token}` } }); // denied
  await fetch(`${airlock.adminUrl}/api/v1/approvals`, { headers: { authorization: `Bearer ${token}` } }); // denied
});

after(async () => {
  await airlock.stop();
  upstream.server.close();
});

const scrape = (accept?: string) => fetch(`${airlock.adminUrl}/metrics`, { headers: accept ? { accept } : {} });
const families = (text: string) => [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => (m[2] === 'counter' ? m[1]!.replace(/_total$/, '') : m[1]!)).sort();

describe('/metrics', () => {
  it('passes promtool check metrics in the Prometheus text format', { skip: needs(existsSync(PROMTOOL), 'promtool') }, async () => {
    const res = await scrape();
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    assert.match(text, /^airlock_requests_total\{resource="llm",action="model.invoke",decision="allow"\} 2$/m);
    const lint = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(lint.status, 0, `promtool: ${lint.stdout}${lint.stderr}`);
  });

  it('serves OpenMetrics 1.0 to a scraper that asks for it, accepted by the reference parser', { skip: needs(hasOpenMetricsParser, 'python3-prometheus-client') }, async () => {
    const res = await scrape(PROMETHEUS_ACCEPT);
    assert.equal(res.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    assert.equal(res.headers.get('vary'), 'Accept');
    const text = await res.text();
    assert.ok(text.endsWith('\n# EOF\n'));
    assert.match(text, /^airlock_requests_total\{resource="llm",action="model.invoke",decision="allow"\} 2$/m);
    const script = [
      'import sys',
      'from prometheus_client.openmetrics.parser import text_string_to_metric_families',
      'print(len(list(text_string_to_metric_families(sys.stdin.read()))))',
    ].join('\n');
    const parsed = spawnSync(PYTHON, ['-c', script], { input: text, encoding: 'utf8' });
    assert.equal(parsed.status, 0, parsed.stderr);
    assert.deepEqual(families(text), families(await (await scrape()).text()), 'the same families in both formats');
    assert.equal(Number(parsed.stdout.trim()), families(text).length);
  });
});
