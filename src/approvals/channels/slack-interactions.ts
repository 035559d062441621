// The Slack interactions endpoint: a click on Approve or Deny in a Slack message becomes a vote
// by the Airlock principal that config maps the Slack user to. Deny first: an unsigned or stale
// request is refused, and a user, workspace or action we do not know votes nothing. The vote
// itself goes through the same service as the API, so group membership and "not the requester"
// are checked there, not here.
import { z } from 'zod';
import type { VoteChoice } from '../types.js';
import type { ChannelConfig, SlackChannelConfig } from './schema.js';
import { SLACK_APPROVE_ACTION, SLACK_DENY_ACTION } from './slack-message.js';
import { SLACK_SIGNATURE_HEADER, SLACK_TIMESTAMP_HEADER, verifySlackSignature } from './slack-signature.js';

export interface SlackVoter {
  readonly type: 'User';
  readonly id: string;
  readonly groups: string[];
}

export interface SlackInteractionOptions {
  /** The Slack channel(s) whose signing secret may have signed this request. */
  readonly channel: SlackChannelConfig | readonly SlackChannelConfig[];
  /** Milliseconds since the epoch; defaults to Date.now(). */
  readonly now?: number;
  readonly vote: (approvalId: string, principal: SlackVoter, choice: VoteChoice, reason: string) => Promise<{ ok: boolean; message: string }>;
  /**
   * Slack shows a block_actions answer only when it is POSTed to the payload's `response_url`.
   * Defaults to such a POST, made only to a Slack host; pass a function to replace it in tests.
   */
  readonly respond?: (responseUrl: string, body: SlackReply) => void;
  /** Slack gives up after 3 s; a slower vote is answered "still processing" and reported later. */
  readonly ackWithinMs?: number;
}

export interface SlackReply {
  readonly response_type: 'ephemeral';
  readonly replace_original: false;
  readonly text: string;
}

export interface SlackAnswer {
  readonly status: number;
  readonly json?: unknown;
  readonly text?: string;
}

type RequestHeaders = Record<string, string | string[] | undefined>;

const payloadSchema = z.object({
  type: z.string(),
  user: z.object({ id: z.string(), username: z.string().optional(), name: z.string().optional() }),
  team: z.object({ id: z.string() }).nullish(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).default([]),
  response_url: z.string().optional(),
});

export function slackChannels(channels: readonly ChannelConfig[]): SlackChannelConfig[] {
  return channels.filter((c): c is SlackChannelConfig => c.type === 'slack');
}

const reply = (text: string): SlackReply => ({ response_type: 'ephemeral', replace_original: false, text });

export async function handleSlackInteraction(rawBody: string, headers: RequestHeaders, opts: SlackInteractionOptions): Promise<SlackAnswer> {
  const now = opts.now ?? Date.now();
  const candidates = Array.isArray(opts.channel) ? opts.channel : [opts.channel as SlackChannelConfig];
  const ts = header(headers, SLACK_TIMESTAMP_HEADER);
  const sig = header(headers, SLACK_SIGNATURE_HEADER);
  const channel = candidates.find((c) => verifySlackSignature(c.signing_secret, rawBody, ts, sig, now));
  if (!channel) return { status: 401, text: 'invalid or stale Slack signature' };

  let payload: z.infer<typeof payloadSchema>;
  try {
    const parsed = payloadSchema.safeParse(JSON.parse(new URLSearchParams(rawBody).get('payload') ?? ''));
    if (!parsed.success) return { status: 400, text: 'unexpected Slack payload' };
    payload = parsed.data;
  } catch {
    return { status: 400, text: 'Slack payload is not JSON' };
  }

  const action = payload.actions[0];
  const choice: VoteChoice | undefined =
    action?.action_id === SLACK_APPROVE_ACTION ? 'approve' : action?.action_id === SLACK_DENY_ACTION ? 'deny' : undefined;
  // Other interactions (the "Open in Airlock" link button also posts here) only need an ack.
  if (payload.type !== 'block_actions' || !choice || !action?.value) return { status: 200 };

  const answer = (text: string): SlackAnswer => {
    const body = reply(text);
    if (payload.response_url) (opts.respond ?? postToSlack)(payload.response_url, body);
    return { status: 200, json: body };
  };
  const slackUser = payload.user.id;
  if (channel.team_id && payload.team?.id !== channel.team_id) return answer('This Slack workspace may not vote on Airlock approvals.');
  // hasOwn, not `in`: a user id of "constructor" must not find Object.prototype.constructor.
  const mapped = Object.hasOwn(channel.users, slackUser) ? channel.users[slackUser] : undefined;
  if (!mapped) return answer(`Slack user ${slackUser} is not mapped to an Airlock principal; ask an administrator, or vote in the console.`);

  const who = payload.user.username ?? payload.user.name;
  const principal: SlackVoter = { type: 'User', id: mapped.sub, groups: [...mapped.groups] };
  const voting = opts
    .vote(action.value, principal, choice, `via Slack by ${who ? `${who} (${slackUser})` : slackUser}`)
    .then((r) => r.message)
    .catch(() => 'Airlock could not record the vote; try again or use the console.');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), opts.ackWithinMs ?? 2_500)));
  const message = await Promise.race([voting, late]);
  clearTimeout(timer);
  if (message !== undefined) return answer(message);
  // Slack would show a timeout: acknowledge now and deliver the result when the vote settles.
  if (payload.response_url) {
    const url = payload.response_url;
    void voting.then((m) => (opts.respond ?? postToSlack)(url, reply(m)));
  }
  return { status: 200, json: reply('Vote received; Airlock is still processing it.') };
}

function header(headers: RequestHeaders, name: string): string | undefined {
  const v = headers[name] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(v) ? v[0] : v;
}

// response_url comes from a signed payload, yet it is still only ever POSTed to Slack's own hosts:
// a leaked signing secret must not turn this endpoint into a request forwarder.
function postToSlack(responseUrl: string, body: SlackReply): void {
  let url: URL;
  try {
    url = new URL(responseUrl);
  } catch {
    return;
  }
  if (url.protocol !== 'https:' || !/(^|\.)slack(-gov)?\.com$/.test(url.hostname)) return;
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5_000) })
    .then((r) => r.body?.cancel())
    .catch(() => {});
}
