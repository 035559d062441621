// Approval notification channels: the config shapes of `approvals.notify[]`. Validated once at
// start; the rest of this folder reads only these parsed, read-only objects.
import { z } from 'zod';
import { httpUrl } from '../../lib/http-url.js';

// Slack user ids: `U…` in a workspace, `W…` on Enterprise Grid. Anything else is a typo that would
// otherwise silently map nobody.
const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, { message: 'must be a Slack user id like "U024BE7LH"' });

const airlockUser = z.strictObject({
  sub: z.string().min(1),
  groups: z.array(z.string().min(1)).default([]),
});

export const webhookChannelSchema = z.strictObject({
  type: z.literal('webhook'),
  url: httpUrl,
  secret: z.string().min(1),
});

export const slackChannelSchema = z.strictObject({
  type: z.literal('slack'),
  /** The incoming-webhook URL. It embeds a credential: log its host only. */
  url: httpUrl,
  /** The Slack app's signing secret, for the interactions endpoint. */
  signing_secret: z.string().min(1),
  /** When set, interactions from any other Slack workspace are refused (one app, many installs). */
  team_id: z.string().min(1).optional(),
  /** Slack user id -> Airlock principal `User::"<sub>"` with these groups. Unlisted users cannot vote. */
  users: z.record(slackUserId, airlockUser).default({}),
});

export const teamsChannelSchema = z.strictObject({
  type: z.literal('teams'),
  /** The incoming-webhook (or Workflows) URL. It embeds a credential: log its host only. */
  url: httpUrl,
});

export const channelSchema = z.discriminatedUnion('type', [webhookChannelSchema, slackChannelSchema, teamsChannelSchema]);

export type ChannelConfig = z.output<typeof channelSchema>;
export type WebhookChannelConfig = z.output<typeof webhookChannelSchema>;
export type SlackChannelConfig = z.output<typeof slackChannelSchema>;
export type TeamsChannelConfig = z.output<typeof teamsChannelSchema>;
