// Each channel's wire format, as a local receiver sees it: the signed webhook JSON of the
// contract, Slack Block Kit with vote buttons, and a Teams message carrying an Adaptive Card.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { verifyWebhook } from '../../lib/webhook-signature.js';
import { createNotifier, type NotifyOutcome } from './notifier.js';
import { channelSchema } from './schema.js';
import { approval, type Receiver, silentLog, startReceiver } from './test-support.js';

const consoleUrl = 'https://airlock.example.com/';
const approveUrl = 'https://airlock.example.com/approvals/apr_01HZX3K9';
const receivers: Receiver[] = [];
after(() => Promise.all(receivers.map((r) => r.close())));

async function deliverOnce(config: unknown, event = 'approval.created' as const, subject = approval) {
  const receiver = await startReceiver();
  receivers.push(receiver);
  const outcomes: NotifyOutcome[] = [];
  const channel = channelSchema.parse({ ...(config as object), url: receiver.url });
  const notifier = createNotifier([channel], { consoleUrl, log: silentLog, onOutcome: (o) => outcomes.push(o) });
  notifier.notify(event, subject);
  const [got] = await receiver.waitFor(1);
  await notifier.close();
  return { got: got!, outcomes };
}

describe('webhook channel', () => {
  it('POSTs the documented JSON signed with Airlock-Signature', async () => {
    const { got, outcomes } = await deliverOnce({ type: 'webhook', secret: 's3cret' });
    assert.equal(got.method, 'POST');
    assert.equal(got.headers['content-type'], 'application/json');
    const sig = got.headers['airlock-signature'];
    assert.equal(typeof sig, 'string');
    assert.match(sig as string, /^t=\d+,v1=[0-9a-f]{64}$/);
    assert.ok(verifyWebhook('s3cret', got.body, sig as string));
    assert.ok(!verifyWebhook('other', got.body, sig as string));
    assert.deepEqual(JSON.parse(got.body), { event: 'approval.created', approval, approve_url: approveUrl });
    assert.deepEqual(outcomes, [{ channel: `webhook:${new URL(receivers.at(-1)!.url).host}`, event: 'approval.created', approvalId: approval.id, ok: true, attempts: 1 }]);
  });
});

describe('slack channel', () => {
  it('sends Block Kit with Approve and Deny buttons carrying the approval id and a console link', async () => {
    const { got } = await deliverOnce({ type: 'slack', signing_secret: 'x' });
    const msg = JSON.parse(got.body);
    assert.match(msg.text, /Approval needed/);
    assert.equal(msg.blocks[0].type, 'header');
    const fields = msg.blocks.find((b: { type: string }) => b.type === 'section').fields.map((f: { text: string }) => f.text).join('\n');
    for (const want of ['User::"alice"', 'model.invoke', 'Model::"llm/gpt-4o"', 'gpt-4o', 'POST /v1/chat/completions', approval.expires_at]) assert.ok(fields.includes(want), want);
    const actions = msg.blocks.find((b: { type: string }) => b.type === 'actions').elements;
    const byId = Object.fromEntries(actions.map((e: { action_id: string }) => [e.action_id, e]));
    assert.deepEqual([byId.airlock_approve.value, byId.airlock_approve.style], [approval.id, 'primary']);
    assert.deepEqual([byId.airlock_deny.value, byId.airlock_deny.style], [approval.id, 'danger']);
    assert.equal(byId.airlock_open.url, approveUrl);
  });

  it('escapes request data so it cannot ping a channel or plant a link', async () => {
    const hostile = { ...approval, context: { ...approval.context, path: '/<!channel> <https://evil.example|approve here>' } };
    const { got } = await deliverOnce({ type: 'slack', signing_secret: 'x' }, 'approval.created', hostile);
    assert.ok(!got.body.includes('<!channel>'));
    assert.ok(!got.body.includes('<https://evil'));
    assert.ok(got.body.includes('&lt;!channel&gt;'));
  });

  it('sends a short text without buttons for later events', async () => {
    const { got } = await deliverOnce({ type: 'slack', signing_secret: 'x' }, 'approval.approved' as 'approval.created');
    const msg = JSON.parse(got.body);
    assert.equal(msg.blocks, undefined);
    assert.match(msg.text, /approved/);
  });
});

describe('teams channel', () => {
  it('sends a message with an Adaptive Card attachment, facts and an OpenUrl to approve', async () => {
    const { got } = await deliverOnce({ type: 'teams' });
    const msg = JSON.parse(got.body);
    assert.equal(msg.type, 'message');
    assert.equal(msg.attachments.length, 1);
    const [att] = msg.attachments;
    assert.equal(att.contentType, 'application/vnd.microsoft.card.adaptive');
    const card = att.content;
    assert.equal(card.type, 'AdaptiveCard');
    assert.equal(card.$schema, 'http://adaptivecards.io/schemas/adaptive-card.json');
    assert.ok(Number(card.version) >= 1.4);
    const facts = card.body.find((b: { type: string }) => b.type === 'FactSet').facts;
    assert.ok(facts.some((f: { title: string; value: string }) => f.title === 'Principal' && f.value === 'User::"alice"'));
    assert.deepEqual(card.actions, [{ type: 'Action.OpenUrl', title: 'Review and approve', url: approveUrl }]);
  });

  it('breaks markdown links planted in request data', async () => {
    const hostile = { ...approval, context: { ...approval.context, model: '[Approve here](https://evil.example)' } };
    const { got } = await deliverOnce({ type: 'teams' }, 'approval.created', hostile);
    assert.ok(!JSON.parse(got.body).attachments[0].content.body[1].facts.some((f: { value: string }) => f.value.includes('](')));
  });
});
