// `airlock gate` against a running gateway: allowed, denied, waiting for an approval given
// meanwhile, timing out, and usage errors, with the exit codes a pipeline relies on.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli, startAirlock, type RunningAirlock } from '../support/airlock-process.js';

let airlock: RunningAirlock;
let ciKey: string;
let manager: string;

before(async () => {
  airlock = await startAirlock({
    policies: {
      'p.cedar': `
@id("train") permit (principal == Agent::"ci", action == Action::"training.start", resource);
@id("deploy") @approval("release-managers") permit (principal == Agent::"ci", action == Action::"model.deploy", resource in Resource::"prod");
@id("big-runs") forbid (principal, action == Action::"training.start", resource) when { context has gpus && context.gpus > 64 };
@id("managers") permit (principal in Group::"release-managers", action, resource == Airlock::"control-plane");
@id("gate-api") permit (principal == Agent::"ci", action == Action::"gate", resource == Airlock::"control-plane");
@id("anyone-may-ask-to-promote") @approval("release-managers") permit (principal, action == Action::"model.promote", resource);
@id("mfa-deploys") permit (principal == Agent::"ci", action == Action::"model.rollback", resource) when { context.mfa };
`,
    },
    resources: [],
  });
  const created = await runCli(['keys', 'create', '--agent', 'ci', '--config', airlock.configFile]);
  ciKey = created.stdout.trim();
  manager = await airlock.token({ sub: 'rm', groups: ['release-managers'] });
});
after(() => airlock.stop());

const gate = (args: string[]) => runCli(['gate', '--server', airlock.adminUrl, ...args], { env: { AIRLOCK_TOKEN: ciKey } });

describe('airlock gate', () => {
  it('exits 0 when the step is allowed, and 1 when a policy forbids it', async () => {
    const ok = await gate(['--action', 'training.start', '--resource', 'Model::"research/llama-ft"']);
    assert.equal(ok.code, 0, ok.stderr);
    const ctx = path.join(airlock.dir, 'ctx.json');
    await writeFile(ctx, JSON.stringify({ gpus: 128 }));
    const denied = await gate(['--action', 'training.start', '--resource', 'Model::"research/llama-ft"', '--context', ctx]);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /denied/);
  });

  it('waits for an approval, prints where to approve, and exits 0 once approved', async () => {
    const waiting = gate(['--action', 'model.deploy', '--resource', 'Model::"prod/fraud-v3"', '--wait', '30s', '--poll', '200ms']);
    let id: string | undefined;
    for (let i = 0; i < 100 && !id; i++) {
      const list = (await (await fetch(`${airlock.adminUrl}/api/v1/approvals?status=pending`, { headers: { authorization: `Bearer ${manager}` } })).json()) as { id: string; kind: string }[];
      id = list.find((a) => a.kind === 'gate')?.id;
      if (!id) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(id);
    const vote = await fetch(`${airlock.adminUrl}/api/v1/approvals/${id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' },
      body: '{"reason":"release 3.1"}',
    });
    assert.equal(vote.status, 200);
    const done = await waiting;
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, new RegExp(`/approvals/${id}`));
    assert.match(done.stdout, /allowed/);
  });

  it('exits 1 when the wait runs out, and 1 when the approval is denied', async () => {
    const late = await gate(['--action', 'model.deploy', '--resource', 'Model::"prod/other"', '--wait', '1s', '--poll', '200ms']);
    assert.equal(late.code, 1);
    assert.match(late.stderr, /timed out/);
  });

  it('exits 2 on usage errors', async () => {
    assert.equal((await gate(['--action', 'model.deploy', '--resource', 'not-an-entity'])).code, 2);
    assert.equal((await gate(['--resource', 'Model::"x"'])).code, 2);
  });

  it('refuses a gate to a caller the bundle does not permit `gate`, before deciding the step or opening an approval', async () => {
    const mallory = await airlock.token({ sub: 'mallory', groups: [] });
    const before = (await (await fetch(`${airlock.adminUrl}/api/v1/approvals`, { headers: { authorization: `Bearer ${manager}` } })).json()) as unknown[];
    const res = await fetch(`${airlock.adminUrl}/api/v1/gate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mallory}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'model.promote', resource: 'Model::"prod/fraud-v3"' }),
    });
    assert.equal(res.status, 403);
    const after = (await (await fetch(`${airlock.adminUrl}/api/v1/approvals`, { headers: { authorization: `Bearer ${manager}` } })).json()) as unknown[];
    assert.equal(after.length, before.length, 'no approval was opened');
  });

  it('refuses context keys the gateway computes, so a caller cannot claim MFA', async () => {
    const res = await fetch(`${airlock.adminUrl}/api/v1/gate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ciKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'model.rollback', resource: 'Model::"prod/fraud-v3"', context: { mfa: true } }),
    });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { detail: string }).detail, /context\.mfa: is set by the gateway/);
  });

  it('bounds what a caller can put in a record: long fields 400 naming the field, large bodies 413', async () => {
    const post = (body: string) =>
      fetch(`${airlock.adminUrl}/api/v1/gate`, { method: 'POST', headers: { authorization: `Bearer ${ciKey}`, 'content-type': 'application/json' }, body });
    const long = await post(JSON.stringify({ action: 'a'.repeat(500), resource: 'Model::"x"' }));
    assert.equal(long.status, 400);
    assert.match(((await long.json()) as { detail: string }).detail, /^action:/);
    const twice = await post('{"action":"model.deploy","resource":"Model::\\"dev/x\\"","resource":"Model::\\"prod/x\\""}');
    assert.equal(twice.status, 400, 'a duplicate key is read one way by one parser and another by the next');
    assert.match(((await twice.json()) as { detail: string }).detail, /duplicate key/);
    const huge = await post(JSON.stringify({ action: 'model.deploy', resource: 'Model::"x"', context: { note: 'x'.repeat(200_000) } }));
    assert.equal(huge.status, 413);
    assert.equal(((await huge.json()) as { code: string }).code, 'payload_too_large');
  });
});
