// Approvals end to end: a real gateway, the demo model server, votes through the API and the
// CLI, the retry header, a held request released by a vote, and just-in-time grants.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { startDemoUpstream } from '../../src/dev/demo-upstream.js';
import { runCli, startAirlock, type RunningAirlock } from '../support/airlock-process.js';

const POLICIES = {
  'models.cedar': `
@id("small") permit (principal in Group::"ml-eng", action == Action::"model.invoke", resource == Model::"llm/gpt-4o-mini");
@id("big-needs-lead") @approval("ml-leads")
permit (principal in Group::"ml-eng", action == Action::"model.invoke", resource == Model::"llm/gpt-4o");
@id("prod-api") permit (principal in Group::"prod-access", action, resource in Resource::"prod");
`,
  'control.cedar': `
@id("read-approvals") permit (principal, action == Action::"admin.approvals.read", resource == Airlock::"control-plane");
@id("vote") permit (principal in Group::"ml-leads", action in [Action::"admin.approve", Action::"admin.deny"], resource == Airlock::"control-plane");
@id("grants-admin") permit (principal in Group::"ml-leads", action in [Action::"admin.grants.read", Action::"admin.grants.revoke"], resource == Airlock::"control-plane");
@id("ask-prod") @approval("ml-leads") permit (principal, action == Action::"grant.request", resource == Group::"prod-access");
`,
};

let upstream: Awaited<ReturnType<typeof startDemoUpstream>>;
let hits = 0;
const chat = (model: string, content = 'hi') => JSON.stringify({ model, messages: [{ role: 'user', content }] });

before(async () => {
  upstream = await startDemoUpstream(0);
  upstream.server.on('request', (_req: IncomingMessage) => hits++);
});
after(() => upstream.server.close());

async function gateway(holdSeconds: number) {
  return startAirlock({
    policies: POLICIES,
    resources: [
      { name: 'llm', type: 'openai', upstream: upstream.url },
      { name: 'prod', type: 'http', upstream: `${upstream.url}/debug/echo` },
    ],
    config: { approvals: { hold_seconds: holdSeconds, ttl_seconds: 600 } },
  });
}

describe('approvals with the retry header', () => {
  let airlock: RunningAirlock;
  let alice: string;
  let lee: string;
  before(async () => {
    airlock = await gateway(0);
    alice = await airlock.token({ sub: 'alice', groups: ['ml-eng', 'ml-leads'] });
    lee = await airlock.token({ sub: 'lee', groups: ['ml-leads'] });
  });
  after(() => airlock.stop());

  const invoke = (token: string, body: string, approval?: string) =>
    fetch(`${airlock.dataUrl}/llm/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(approval ? { 'airlock-approval': approval } : {}) },
      body,
    });

  it('opens one approval per repeated request, releases it once, bound to the exact request', async () => {
    const before = hits;
    const first = await invoke(alice, chat('gpt-4o'));
    assert.equal(first.status, 403);
    const problem = (await first.json()) as { code: string; approval_id: string };
    assert.equal(problem.code, 'approval_required');
    const again = (await (await invoke(alice, chat('gpt-4o'))).json()) as { approval_id: string };
    assert.equal(again.approval_id, problem.approval_id, 'no flood of duplicates');

    const self = await fetch(`${airlock.adminUrl}/api/v1/approvals/${problem.approval_id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
      body: '{"reason":"mine"}',
    });
    assert.equal(self.status, 403, 'no self-approval');

    const pending = await invoke(alice, chat('gpt-4o'), problem.approval_id);
    assert.equal(pending.status, 403);

    const listed = await runCli(['approvals', 'list', '--server', airlock.adminUrl], { env: { AIRLOCK_TOKEN: lee } });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(problem.approval_id));
    const voted = await runCli(['approvals', 'approve', problem.approval_id, '--reason', 'looks fine', '--server', airlock.adminUrl], {
      env: { AIRLOCK_TOKEN: lee },
    });
    assert.equal(voted.code, 0, voted.stderr);
    assert.match(voted.stdout, /approved/);

    const otherBody = await invoke(alice, chat('gpt-4o', 'something else'), problem.approval_id);
    assert.equal(otherBody.status, 403, 'a different body is refused');
    const otherPerson = await invoke(await airlock.token({ sub: 'eve', groups: ['ml-eng'] }), chat('gpt-4o'), problem.approval_id);
    assert.equal(otherPerson.status, 403, 'another principal is refused');
    assert.equal(hits, before, 'nothing was forwarded so far');

    const released = await invoke(alice, chat('gpt-4o'), problem.approval_id);
    assert.equal(released.status, 200);
    assert.equal(hits, before + 1);
    const twice = await invoke(alice, chat('gpt-4o'), problem.approval_id);
    assert.equal(twice.status, 403, 'single use');
    assert.equal(hits, before + 1);

    const shown = await runCli(['approvals', 'show', problem.approval_id, '--server', airlock.adminUrl], { env: { AIRLOCK_TOKEN: lee } });
    assert.match(shown.stdout, /status\s+used/);
  });

  it('ends an approval as denied and refuses the retry', async () => {
    const body = chat('gpt-4o', 'deny me');
    const { approval_id } = (await (await invoke(alice, body)).json()) as { approval_id: string };
    const denied = await runCli(['approvals', 'deny', approval_id, '--reason', 'no', '--server', airlock.adminUrl], { env: { AIRLOCK_TOKEN: lee } });
    assert.equal(denied.code, 0, denied.stderr);
    assert.equal((await invoke(alice, body, approval_id)).status, 403);
  });

  it('serves the approval page', async () => {
    const res = await fetch(`${airlock.adminUrl}/approvals/some-id`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<button id="approve">/);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'.*script-src 'sha256-.*frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  });

  it('audits creation, votes, state changes and use, linked by approval id', async () => {
    const auditor = await runCli(['audit', 'export', '--config', airlock.configFile]);
    const records = auditor.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const kinds = new Set(records.filter((r) => r.approval_id).map((r) => r.kind));
    for (const k of ['approval_created', 'approval_vote', 'approval_state', 'approval_used']) assert.ok(kinds.has(k), k);
    const refused = records.find((r) => r.kind === 'approval_vote' && r.accepted === false);
    assert.ok(refused, 'the refused self-approval is on the record');
  });
});

describe('held requests and grants', () => {
  let airlock: RunningAirlock;
  let lee: string;
  before(async () => {
    airlock = await gateway(10);
    lee = await airlock.token({ sub: 'lee', groups: ['ml-leads'] });
  });
  after(() => airlock.stop());

  async function approveFirstPending() {
    for (let i = 0; i < 50; i++) {
      const list = (await (await fetch(`${airlock.adminUrl}/api/v1/approvals?status=pending`, { headers: { authorization: `Bearer ${lee}` } })).json()) as { id: string }[];
      if (list.length) {
        const res = await fetch(`${airlock.adminUrl}/api/v1/approvals/${list[0]!.id}/approve`, {
          method: 'POST',
          headers: { authorization: `Bearer ${lee}`, 'content-type': 'application/json' },
          body: '{"reason":"ok"}',
        });
        assert.equal(res.status, 200);
        return list[0]!.id;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no pending approval appeared');
  }

  it('forwards a held request the moment it is approved', async () => {
    const alice = await airlock.token({ sub: 'alice', groups: ['ml-eng'] });
    const started = Date.now();
    const pending = fetch(`${airlock.dataUrl}/llm/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
      body: chat('gpt-4o'),
    });
    await approveFirstPending();
    const res = await pending;
    assert.equal(res.status, 200);
    assert.ok(Date.now() - started < 5000, 'released well before the hold ran out');
  });

  it('grants a group once approved, counted from the approval, and revokes it on the next request', async () => {
    const bob = await airlock.token({ sub: 'bob' });
    const call = () => fetch(`${airlock.dataUrl}/prod/x`, { headers: { authorization: `Bearer ${bob}` } });
    assert.equal((await call()).status, 403);
    const asked = await fetch(`${airlock.adminUrl}/api/v1/grants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bob}`, 'content-type': 'application/json' },
      body: JSON.stringify({ group: 'prod-access', duration_seconds: 600, reason: 'incident 42' }),
    });
    assert.equal(asked.status, 202);
    const grant = (await asked.json()) as { id: string; approval_id: string };
    assert.equal((await call()).status, 403, 'not before approval');
    await approveFirstPending();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await call()).status, 200, 'member once approved');
    const revoked = await runCli(['grants', 'revoke', grant.id, '--server', airlock.adminUrl], { env: { AIRLOCK_TOKEN: lee } });
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal((await call()).status, 403, 'revocation counts on the next request');
  });

  it('refuses a grant request without a reason, naming the key', async () => {
    const bob = await airlock.token({ sub: 'bob' });
    const res = await fetch(`${airlock.adminUrl}/api/v1/grants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bob}`, 'content-type': 'application/json' },
      body: JSON.stringify({ group: 'prod-access', duration_seconds: 60 }),
    });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { detail: string }).detail, /reason/);
  });
});

describe('step-up MFA for approvers', () => {
  it('refuses a vote without a recent MFA sign-in when the bundle asks for it, and takes it with one', async () => {
    const airlock = await startAirlock({
      policies: {
        'p.cedar': `
@approval("ml-leads") permit (principal in Group::"ml-eng", action == Action::"model.invoke", resource in Resource::"llm");
@mfa("required") @mfa_max_age("300")
permit (principal in Group::"ml-leads", action == Action::"admin.approve", resource == Airlock::"control-plane");
`,
      },
      resources: [{ name: 'llm', type: 'openai', upstream: upstream.url }],
    });
    try {
      const alice = await airlock.token({ sub: 'alice', groups: ['ml-eng'] });
      const res = await fetch(`${airlock.dataUrl}/llm/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
        body: chat('gpt-4o'),
      });
      const { approval_id } = (await res.json()) as { approval_id: string };
      const vote = async (token: string) =>
        fetch(`${airlock.adminUrl}/api/v1/approvals/${approval_id}/approve`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: '{"reason":"ok"}',
        });
      const plain = await vote(await airlock.token({ sub: 'lee', groups: ['ml-leads'] }));
      assert.equal(plain.status, 401);
      assert.match(plain.headers.get('www-authenticate') ?? '', /insufficient_user_authentication/);
      const stepped = await vote(await airlock.token({ sub: 'lee', groups: ['ml-leads'], mfa: true }));
      assert.equal(stepped.status, 200);
      assert.equal(((await stepped.json()) as { status: string }).status, 'approved');
    } finally {
      await airlock.stop();
    }
  });
});
