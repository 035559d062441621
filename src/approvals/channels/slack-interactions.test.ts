// The Slack interactions endpoint: only a correctly signed, fresh request from a mapped Slack user
// becomes a vote, and Slack is always answered quickly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VoteChoice } from '../types.js';
import { slackChannelSchema } from './schema.js';
import { handleSlackInteraction, slackChannels } from './slack-interactions.js';
import { signSlackRequest, verifySlackSignature } from './slack-signature.js';

const now = Date.UTC(2025, 0, 1, 12, 0, 0);
const ts = String(Math.floor(now / 1000));
const channel = slackChannelSchema.parse({
  type: 'slack',
  url: 'https://hooks.slack.com/services/T0/B0/XXXX',
  signing_secret: '8f742231b10e8888abcd99yyyzzz85a5',
  users: { U024BE7LH: { sub: 'bob', groups: ['ml-leads'] } },
});

function body(userId: string, actionId = 'airlock_approve', extra: Record<string, unknown> = {}): string {
  const payload = {
    type: 'block_actions',
    user: { id: userId, username: 'bob.smith', team_id: 'T0' },
    team: { id: 'T0', domain: 'example' },
    actions: [{ type: 'button', action_id: actionId, block_id: 'airlock_apr_1', value: 'apr_1', action_ts: ts }],
    response_url: 'https://hooks.slack.com/actions/T0/1/xyz',
    ...extra,
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

function signed(raw: string, timestamp = ts, secret = channel.signing_secret) {
  return { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signSlackRequest(secret, raw, timestamp), 'content-type': 'application/x-www-form-urlencoded' };
}

function voter() {
  const calls: Array<[string, unknown, VoteChoice, string]> = [];
  const responded: Array<[string, unknown]> = [];
  return {
    calls,
    responded,
    vote: async (id: string, principal: unknown, choice: VoteChoice, reason: string) => {
      calls.push([id, principal, choice, reason]);
      return { ok: true, message: `Approved ${id}` };
    },
    respond: (url: string, b: unknown) => void responded.push([url, b]),
  };
}

describe('verifySlackSignature', () => {
  it('accepts the v0 signature of the raw body and refuses any change to it', () => {
    const raw = body('U024BE7LH');
    const sig = signSlackRequest(channel.signing_secret, raw, ts);
    assert.match(sig, /^v0=[0-9a-f]{64}$/);
    assert.ok(verifySlackSignature(channel.signing_secret, raw, ts, sig, now));
    assert.ok(!verifySlackSignature(channel.signing_secret, `${raw}x`, ts, sig, now));
    assert.ok(!verifySlackSignature(channel.signing_secret, raw, String(Number(ts) + 1), sig, now));
    assert.ok(!verifySlackSignature(channel.signing_secret, raw, ts, undefined, now));
  });

  it('allows clock skew up to five minutes either way and no more', () => {
    const raw = body('U024BE7LH');
    const sig = signSlackRequest(channel.signing_secret, raw, ts);
    assert.ok(verifySlackSignature(channel.signing_secret, raw, ts, sig, now + 299_000));
    assert.ok(verifySlackSignature(channel.signing_secret, raw, ts, sig, now - 299_000));
    assert.ok(!verifySlackSignature(channel.signing_secret, raw, ts, sig, now + 301_000));
  });
});

describe('handleSlackInteraction', () => {
  it('votes as the mapped principal when the signature is valid', async () => {
    const v = voter();
    const raw = body('U024BE7LH');
    const res = await handleSlackInteraction(raw, signed(raw), { channel, now, vote: v.vote, respond: v.respond });
    assert.deepEqual(v.calls, [['apr_1', { type: 'User', id: 'bob', groups: ['ml-leads'] }, 'approve', 'via Slack by bob.smith (U024BE7LH)']]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { response_type: 'ephemeral', replace_original: false, text: 'Approved apr_1' });
    assert.deepEqual(v.responded, [['https://hooks.slack.com/actions/T0/1/xyz', res.json]]);
  });

  it('maps the Deny button to a deny vote', async () => {
    const v = voter();
    const raw = body('U024BE7LH', 'airlock_deny');
    await handleSlackInteraction(raw, signed(raw), { channel, now, vote: v.vote, respond: v.respond });
    assert.equal(v.calls[0]?.[2], 'deny');
  });

  it('refuses a bad signature with 401 and does not vote', async () => {
    const v = voter();
    const raw = body('U024BE7LH');
    const res = await handleSlackInteraction(raw, signed(raw, ts, 'not-the-secret'), { channel, now, vote: v.vote, respond: v.respond });
    assert.equal(res.status, 401);
    assert.equal(v.calls.length, 0);
  });

  it('refuses a correctly signed request six minutes old', async () => {
    const v = voter();
    const raw = body('U024BE7LH');
    const stale = String(Number(ts) - 6 * 60);
    const res = await handleSlackInteraction(raw, signed(raw, stale), { channel, now, vote: v.vote, respond: v.respond });
    assert.equal(res.status, 401);
    assert.equal(v.calls.length, 0);
  });

  it('tells an unmapped Slack user so, and does not vote', async () => {
    const v = voter();
    const raw = body('U999NOBODY');
    const res = await handleSlackInteraction(raw, signed(raw), { channel, now, vote: v.vote, respond: v.respond });
    assert.equal(res.status, 200);
    assert.match((res.json as { text: string }).text, /U999NOBODY is not mapped/);
    assert.equal(v.calls.length, 0);
  });

  it('does not treat inherited object keys as mapped users', async () => {
    const v = voter();
    const raw = body('constructor');
    const res = await handleSlackInteraction(raw, signed(raw), { channel, now, vote: v.vote, respond: v.respond });
    assert.equal(res.status, 200);
    assert.equal(v.calls.length, 0);
  });

  it('acknowledges the link button and unknown actions without voting', async () => {
    const v = voter();
    const raw = body('U024BE7LH', 'airlock_open');
    const res = await handleSlackInteraction(raw, signed(raw), { channel, now, vote: v.vote, respond: v.respond });
    assert.deepEqual(res, { status: 200 });
    assert.equal(v.calls.length, 0);
  });

  it('refuses a workspace other than the configured team', async () => {
    const v = voter();
    const raw = body('U024BE7LH', 'airlock_approve', { team: { id: 'T_OTHER' } });
    const res = await handleSlackInteraction(raw, signed(raw), { channel: { ...channel, team_id: 'T0' }, now, vote: v.vote, respond: v.respond });
    assert.equal(res.status, 200);
    assert.equal(v.calls.length, 0);
  });

  it('answers within the ack window when the vote is slow, and reports the result later', async () => {
    const responded: unknown[] = [];
    const raw = body('U024BE7LH');
    let finish!: () => void;
    const vote = () => new Promise<{ ok: boolean; message: string }>((r) => (finish = () => r({ ok: true, message: 'late ok' })));
    const res = await handleSlackInteraction(raw, signed(raw), { channel, now, vote, ackWithinMs: 20, respond: (_u, b) => void responded.push(b) });
    assert.match((res.json as { text: string }).text, /still processing/);
    finish();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(responded, [{ response_type: 'ephemeral', replace_original: false, text: 'late ok' }]);
  });

  it('picks the Slack channel whose signing secret signed the request', async () => {
    const v = voter();
    const other = { ...channel, signing_secret: 'another-app-secret' };
    const raw = body('U024BE7LH');
    const res = await handleSlackInteraction(raw, signed(raw), { channel: slackChannels([other, { type: 'teams', url: 'https://x.example' }, channel]), now, vote: v.vote, respond: v.respond });
    assert.equal(res.status, 200);
    assert.equal(v.calls.length, 1);
  });
});
