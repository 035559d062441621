// End to end: nobody without a credential can flood the audit log, on either listener and from
// however many addresses of one IPv6 /64. Past the rate per client block the answer is 429, past
// its share of records per minute refusals are counted into one `refusals_aggregated` record.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, startAirlock, type RunningAirlock } from '../support/airlock-process.js';

let airlock: RunningAirlock;

before(async () => {
  airlock = await startAirlock({
    policies: { 'p.cedar': 'permit (principal in Group::"ml-eng", action, resource in Resource::"llm");' },
    resources: [{ name: 'llm', type: 'openai', upstream: 'http://127.0.0.1:1' }],
    // The test client stands behind a trusted proxy, so each request can say which client it is.
    config: { trusted_proxies: ['127.0.0.1', '::1'], limits: { rate: { anonymous: { per_second: 1, burst: 5 }, anonymous_records_per_minute: 3 } } },
  });
});
after(async () => {
  await airlock?.stop();
});

async function flood(url: string, clients: readonly string[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const client of clients) statuses.push((await fetch(url, { headers: { authorization: 'Bearer forged', 'x-forwarded-for': client } })).status);
  return statuses;
}

describe('anonymous floods', () => {
  it('answers a flood on the control plane with 429, as on the data plane', async () => {
    const statuses = await flood(`${airlock.adminUrl}/api/v1/approvals`, new Array(12).fill('198.51.100.7'));
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.equal(statuses.at(-1), 429);
  });

  it('counts every address of one IPv6 /64 as one client', async () => {
    const addresses = Array.from({ length: 12 }, (_, i) => `2001:db8:1:2::${(i + 1).toString(16)}`);
    const statuses = await flood(`${airlock.dataUrl}/llm/v1/models`, addresses);
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.equal(statuses.at(-1), 429);
  });

  it('records each flood as its share of records and one counted record', async () => {
    assert.equal(await airlock.stop(), 0);
    const lines = (await runCli(['audit', 'export', '--config', airlock.configFile])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const anonymous = lines.filter((r) => r.kind === 'decision' && r.principal === null);
    assert.equal(anonymous.length, 6, 'three per client block');
    const counted = lines.filter((r) => r.kind === 'refusals_aggregated');
    assert.deepEqual(counted.map((r) => [r.source_ip, r.count]).sort(), [['198.51.100.7', 9], ['2001:db8:1:2::/64', 9]]);
  });
});
