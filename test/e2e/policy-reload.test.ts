// Hot reload of the policy bundle in a running gateway: a valid change is served within a second,
// an invalid one is refused (audited) while the last good bundle keeps serving.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startDemoUpstream } from '../../src/dev/demo-upstream.js';
import { runCli, startAirlock, type RunningAirlock } from '../support/airlock-process.js';

let upstream: Awaited<ReturnType<typeof startDemoUpstream>>;
let airlock: RunningAirlock;
let token: string;

before(async () => {
  upstream = await startDemoUpstream(0);
  airlock = await startAirlock({
    policies: { 'p.cedar': '@id("nobody") forbid (principal, action, resource);' },
    resources: [{ name: 'llm', type: 'openai', upstream: upstream.url }],
  });
  token = await airlock.token({ sub: 'alice', groups: ['ml-eng'] });
});
after(async () => {
  await airlock.stop();
  upstream.server.close();
});

const listModels = async () => (await fetch(`${airlock.dataUrl}/llm/v1/models`, { headers: { authorization: `Bearer ${token}` } })).status;

async function eventually(want: number, withinMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if ((await listModels()) === want) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  return -1;
}

describe('policy hot reload', () => {
  it('serves a valid new bundle within a second, and keeps it when an invalid one arrives', async () => {
    assert.equal(await listModels(), 403);
    await writeFile(path.join(airlock.dir, 'policies/p.cedar'), '@id("eng-lists") permit (principal in Group::"ml-eng", action == Action::"model.list", resource);');
    const took = await eventually(200, 3000);
    assert.ok(took >= 0 && took < 1500, `reloaded in ${took} ms`);

    await writeFile(path.join(airlock.dir, 'policies/p.cedar'), 'permit (principal, action, resource'); // broken
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await listModels(), 200, 'the last good bundle keeps serving');

    const records = (await runCli(['audit', 'export', '--config', airlock.configFile])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    const loads = records.filter((r) => r.kind === 'policy_load');
    assert.equal(loads.length, 2);
    assert.deepEqual(loads[1].added, ['eng-lists']);
    assert.deepEqual(loads[1].removed, ['nobody']);
    assert.equal(loads[1].previous_version, loads[0].version);
    const refused = records.find((r) => r.kind === 'policy_load_refused');
    assert.ok(refused, 'the refused bundle is audited');
    assert.match(refused.problems.join('\n'), /p\.cedar/);
    const metrics = await (await fetch(`${airlock.adminUrl}/metrics`)).text();
    assert.match(metrics, /airlock_policy_reloads_total\{outcome="refused"\} [1-9]/);
  });

  it('reloads on SIGHUP', async () => {
    await writeFile(path.join(airlock.dir, 'policies/p.cedar'), '@id("nobody") forbid (principal, action, resource);');
    airlock.proc.kill('SIGHUP');
    assert.ok((await eventually(403, 2000)) >= 0);
  });
});
