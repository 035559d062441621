// The policy lifecycle from the outside: a candidate bundle replayed against what a real gateway
// recorded (counts, examples, exit codes for CI), a shadow bundle decided beside the live one on
// real traffic without changing a single answer, and policy tests with coverage and JUnit XML.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startDemoUpstream } from '../../src/dev/demo-upstream.js';
import { runCli, startAirlock, type RunningAirlock } from '../support/airlock-process.js';
import { writeBundle } from '../../src/decide/test-support.js';

const LIVE = [
  '@id("eng-lists") permit (principal in Group::"ml-eng", action == Action::"model.list", resource in Resource::"llm");',
  '@id("eng-chats") permit (principal in Group::"ml-eng", action == Action::"model.invoke", resource in Resource::"llm");',
].join('\n');
const CANDIDATE = `${LIVE}\n@id("no-bob") forbid (principal == User::"bob", action, resource);\n`;

let upstream: Awaited<ReturnType<typeof startDemoUpstream>>;

before(async () => {
  upstream = await startDemoUpstream(0);
});
after(() => {
  upstream.server.close();
});

/** Some allowed and denied requests, and one no policy decides (no credential). */
async function traffic(airlock: RunningAirlock): Promise<number[]> {
  const list = async (sub: string | undefined, groups: string[] = []) => {
    const headers: Record<string, string> = sub ? { authorization: `Bearer ${await airlock.token({ sub, groups })}` } : {};
    const res = await fetch(`${airlock.dataUrl}/llm/v1/models`, { headers });
    await res.arrayBuffer();
    return res.status;
  };
  return [await list('alice', ['ml-eng']), await list('alice', ['ml-eng']), await list('bob', ['ml-eng']), await list('mallory'), await list(undefined)];
}

describe('airlock policy replay', () => {
  let airlock: RunningAirlock;
  before(async () => {
    airlock = await startAirlock({ policies: { 'p.cedar': LIVE }, resources: [{ name: 'llm', type: 'openai', upstream: upstream.url }] });
    assert.deepEqual(await traffic(airlock), [200, 200, 200, 403, 401]);
    assert.equal(await airlock.stop(), 0);
  });

  it('reports the decisions a candidate bundle would change, and fails CI with --fail-on-change', async () => {
    const candidate = await writeBundle({ 'p.cedar': CANDIDATE });
    const r = await runCli(['policy', 'replay', '--config', airlock.configFile, '--bundle', candidate, '--since', '1h', '--fail-on-change']);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^RECORDED\s+CANDIDATE\s+COUNT$/);
    assert.match(lines[1]!, /^allow\s+deny\s+1$/);
    assert.match(r.stdout, /allow -> deny {2}User::"bob" \[ml-eng\] {2}model\.list {2}Resource::"llm"/);
    assert.match(r.stdout, /candidate: no-bob; recorded: eng-lists/);
    assert.match(lines.at(-1)!, /^replayed 4 decisions of \d+ records since .* with bundle [0-9a-f]{12}: 1 would change \(1 allow -> deny\)/);

    const json = await runCli(['policy', 'replay', '--config', airlock.configFile, '--bundle', candidate, '--json']);
    assert.equal(json.code, 0, 'without --fail-on-change a change is reported, not fatal');
    const report = JSON.parse(json.stdout);
    assert.deepEqual([report.replayed, report.changed, report.examples[0].principal, report.examples[0].toPolicies], [4, 1, 'User::"bob"', ['no-bob']]);
  });

  it('exits 0 when nothing would change, and 2 for an invalid bundle or a bad option', async () => {
    const same = await runCli(['policy', 'replay', '--config', airlock.configFile, '--bundle', path.join(airlock.dir, 'policies'), '--fail-on-change']);
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stdout.trim().split('\n').at(-1)!, /replayed 4 decisions .*: no decision would change/);

    const broken = await runCli(['policy', 'replay', '--config', airlock.configFile, '--bundle', await writeBundle({ 'p.cedar': 'permit (principal' })]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /p\.cedar/);
    const badSince = await runCli(['policy', 'replay', '--config', airlock.configFile, '--bundle', path.join(airlock.dir, 'policies'), '--since', 'yesterday']);
    assert.equal(badSince.code, 2);
    assert.equal((await runCli(['policy', 'replay', '--config', airlock.configFile])).code, 2, '--bundle is required');
  });
});

describe('shadow mode (policy.shadow_dir)', () => {
  it('decides beside the live bundle without changing an answer, counts and records the disagreements', async () => {
    const dir = await writeBundle({ 'shadow/p.cedar': CANDIDATE });
    const airlock = await startAirlock({
      dir,
      policies: { 'p.cedar': LIVE },
      resources: [{ name: 'llm', type: 'openai', upstream: upstream.url }],
      config: { policy: { dir: './policies', shadow_dir: './shadow' } },
    });
    try {
      assert.deepEqual(await traffic(airlock), [200, 200, 200, 403, 401], 'the same answers as without a shadow');
      const metrics = await (await fetch(`${airlock.adminUrl}/metrics`)).text();
      assert.match(metrics, /airlock_shadow_decisions_total\{live="allow",shadow="deny"\} 1\b/);
      assert.match(metrics, /airlock_shadow_decisions_total\{live="allow",shadow="allow"\} 2\b/);
      assert.match(metrics, /airlock_shadow_disagreements_total 1\b/);
      assert.match(metrics, /airlock_shadow_bundle_info\{version="[0-9a-f]{64}"\} 1/);
    } finally {
      assert.equal(await airlock.stop(), 0);
    }
    const r = await runCli(['policy', 'shadow-report', '--config', airlock.configFile, '--since', '1h']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^LIVE\s+SHADOW\s+COUNT$/);
    assert.match(lines[1]!, /^allow\s+deny\s+1$/);
    assert.match(r.stdout, /allow -> deny {2}User::"bob" \[ml-eng\] {2}model\.list/);
    assert.match(r.stdout, /shadow: no-bob; live: eng-lists/);
    assert.match(lines.at(-1)!, /^1 of 4 decisions since .* had a shadow disagreement \(1 allow -> deny; shadow bundle [0-9a-f]{12}\)$/);
  });

  it('keeps serving when the shadow bundle is invalid', async () => {
    const dir = await writeBundle({ 'shadow/p.cedar': 'permit (principal' });
    const airlock = await startAirlock({
      dir,
      policies: { 'p.cedar': LIVE },
      resources: [{ name: 'llm', type: 'openai', upstream: upstream.url }],
      config: { policy: { dir: './policies', shadow_dir: './shadow' } },
    });
    try {
      assert.deepEqual(await traffic(airlock), [200, 200, 200, 403, 401]);
      assert.match(airlock.stderr(), /shadow policy bundle refused/);
    } finally {
      await airlock.stop();
    }
  });
});

describe('airlock policy test', () => {
  it('lists the policies no case reaches and writes JUnit XML, keeping "N passed, N failed" last', async () => {
    const dir = await writeBundle({
      'p.cedar': `${LIVE}\n@id("unused") permit (principal == User::"nobody", action, resource);`,
      'tests/lists.yaml': 'tests:\n  - { name: "engineers list <models> & more", principal: User::"a", groups: [ml-eng], action: model.list, resource: Resource::"llm", expect: allow }\n',
      'tests/chats.yaml': 'tests:\n  - { name: engineers chat, principal: User::"a", groups: [ml-eng], action: model.invoke, resource: Model::"llm/m", expect: deny }\n',
    });
    const junit = path.join(dir, 'out.xml');
    const r = await runCli(['policy', 'test', dir, '--junit', junit]);
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines.at(-2)!, /^unreached policies \(1 of 3, .*\): unused$/);
    assert.equal(lines.at(-1), '1 passed, 1 failed');
    const xml = await readFile(junit, 'utf8');
    assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="airlock policy tests" tests="2" failures="1"/);
    assert.match(xml, /<testsuite name="tests\/chats\.yaml" tests="1" failures="1"/);
    assert.match(xml, /<testcase name="engineers list &lt;models&gt; &amp; more" classname="tests\.lists"\/>/);
    assert.match(xml, /<failure message="expected deny, got allow" type="decision">policies: eng-chats/);
  });
});
