// Approval channels through a running gateway: a signed webhook, a Slack message whose Approve
// button (a signed interaction, as Slack sends it) releases the request, and a Teams Adaptive Card.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDemoUpstream } from '../../examples/quickstart/demo-upstream.js';
import { verifyWebhook } from '../../src/lib/webhook-signature.js';
import { startAirlock, type RunningAirlock } from '../support/airlock-process.js';

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

async function receiver(): Promise<{ server: Server; url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got };
}

const waitFor = async <T>(fn: () => T | undefined): Promise<T> => {
  for (let i = 0; i < 100; i++) {
    const v = fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
};

let upstream: Awaited<ReturnType<typeof startDemoUpstream>>;
let hooks: Awaited<ReturnType<typeof receiver>>;
let airlock: RunningAirlock;
const SLACK_SECRET = 'slack-signing-secret';

before(async () => {
  upstream = await startDemoUpstream(0);
  hooks = await receiver();
  airlock = await startAirlock({
    policies: {
      'p.cedar': `
@approval("ml-leads") permit (principal in Group::"ml-eng", action == Action::"model.invoke", resource in Resource::"llm");
permit (principal in Group::"ml-leads", action in [Action::"admin.approve", Action::"admin.deny"], resource == Airlock::"control-plane");
@id("lee-not-for-carol") forbid (principal == User::"lee", action == Action::"admin.approve", resource is Approval) when { resource.requester == User::"carol" };
`,
    },
    resources: [{ name: 'llm', type: 'openai', upstream: upstream.url }],
    config: {
      approvals: {
        hold_seconds: 0,
        ttl_seconds: 600,
        notify: [
          { type: 'webhook', url: `${hooks.url}/webhook`, secret: 'hook-secret' },
          { type: 'slack', url: `${hooks.url}/slack`, signing_secret: SLACK_SECRET, users: { U024BE7LH: { sub: 'lee', groups: ['ml-leads'] } } },
          { type: 'teams', url: `${hooks.url}/teams` },
        ],
      },
    },
  });
});

after(async () => {
  await airlock.stop();
  hooks.server.close();
  upstream.server.close();
});

describe('approval channels', () => {
  it('notify webhook, Slack and Teams, and a Slack click releases the request', async () => {
    const alice = await airlock.token({ sub: 'alice', groups: ['ml-eng'] });
    const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    const call = (approval?: string) =>
      fetch(`${airlock.dataUrl}/llm/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json', ...(approval ? { 'airlock-approval': approval } : {}) },
        body,
      });
    const { approval_id } = (await (await call()).json()) as { approval_id: string };

    const hook = await waitFor(() => hooks.got.find((r) => r.path === '/webhook'));
    assert.ok(verifyWebhook('hook-secret', hook.body, String(hook.headers['airlock-signature'])));
    const event = JSON.parse(hook.body) as { event: string; approval: { id: string; principal: { id: string } } };
    assert.equal(event.event, 'approval.created');
    assert.equal(event.approval.id, approval_id);

    const slack = await waitFor(() => hooks.got.find((r) => r.path === '/slack'));
    const message = JSON.parse(slack.body) as { blocks: { type: string; elements?: { action_id?: string; value?: string }[] }[] };
    const buttons = message.blocks.flatMap((b) => b.elements ?? []);
    assert.ok(buttons.some((e) => e.action_id === 'airlock_approve' && e.value === approval_id));
    assert.ok(buttons.some((e) => e.action_id === 'airlock_deny' && e.value === approval_id));

    const teams = await waitFor(() => hooks.got.find((r) => r.path === '/teams'));
    const card = JSON.parse(teams.body) as { type: string; attachments: { contentType: string; content: { type: string } }[] };
    assert.equal(card.type, 'message');
    assert.equal(card.attachments[0]!.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(card.attachments[0]!.content.type, 'AdaptiveCard');

    const payload = {
      type: 'block_actions',
      user: { id: 'U024BE7LH', username: 'lee' },
      team: { id: 'T1' },
      actions: [{ action_id: 'airlock_approve', value: approval_id, type: 'button' }],
    };
    const raw = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const ts = String(Math.floor(Date.now() / 1000));
    const sign = (secret: string) => `v0=${createHmac('sha256', secret).update(`v0:${ts}:${raw}`).digest('hex')}`;
    const post = (signature: string) =>
      fetch(`${airlock.adminUrl}/integrations/slack/interactions`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': signature },
        body: raw,
      });
    assert.equal((await post(sign('wrong-secret'))).status, 401);
    assert.equal((await call(approval_id)).status, 403, 'still pending after a forged click');
    assert.equal((await post(sign(SLACK_SECRET))).status, 200);
    const released = await (async () => {
      for (let i = 0; i < 40; i++) {
        const r = await call(approval_id);
        if (r.status === 200) return r;
        await new Promise((res) => setTimeout(res, 50));
      }
      return call(approval_id);
    })();
    assert.equal(released.status, 200);
  });

  it('decides a Slack vote on the approval itself too, so a forbid on Approval::"<id>" refuses it as in the API', async () => {
    const carol = await airlock.token({ sub: 'carol', groups: ['ml-eng'] });
    const call = () =>
      fetch(`${airlock.dataUrl}/llm/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${carol}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'carol' }] }),
      });
    const { approval_id } = (await (await call()).json()) as { approval_id: string };
    const payload = { type: 'block_actions', user: { id: 'U024BE7LH', username: 'lee' }, team: { id: 'T1' }, actions: [{ action_id: 'airlock_approve', value: approval_id, type: 'button' }] };
    const raw = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac('sha256', SLACK_SECRET).update(`v0:${ts}:${raw}`).digest('hex')}`;
    const res = await fetch(`${airlock.adminUrl}/integrations/slack/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': signature },
      body: raw,
    });
    assert.equal(res.status, 200);
    assert.match(((await res.json()) as { text: string }).text, /policy does not let you vote/);
    const lee = await airlock.token({ sub: 'lee', groups: ['ml-leads'] });
    const api = await fetch(`${airlock.adminUrl}/api/v1/approvals/${approval_id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${lee}`, 'content-type': 'application/json' }, body: '{}' });
    assert.notEqual(api.status, 200, 'the API refuses the same vote');
    const again = await call();
    assert.equal(again.status, 403);
    assert.equal(((await again.json()) as { code: string }).code, 'approval_required', 'still pending');
  });
});
