// Alerts through the approval channels: events that are not approvals but that the same people
// must hear of (a tool definition that changed under a pinned MCP server). Each channel gets its
// own form: the webhook a signed JSON body (`{"event", "alert"}`), Slack a short Block Kit
// message, Teams an Adaptive Card, with the same escaping of attacker-influenced text as approvals.
import { randomUUID } from 'node:crypto';
import { SIGNATURE_HEADER, signWebhook } from '../../lib/webhook-signature.js';
import type { ChannelConfig } from './schema.js';
import { slackEscape } from './slack-message.js';
import { truncate } from './summary.js';
import { adaptiveCardMessage, teamsEscape } from './teams-card.js';
import { plainJson, type RenderedMessage } from './webhook-payload.js';

export interface Alert {
  /** `alert.<what>`, e.g. `alert.tool_changed`. */
  readonly event: string;
  /** One line a human reads first. */
  readonly title: string;
  readonly facts: readonly { readonly label: string; readonly value: string }[];
  /** The machine-readable body of the webhook form. */
  readonly data: Readonly<Record<string, unknown>>;
}

export function renderAlert(channel: ChannelConfig, alert: Alert): RenderedMessage {
  switch (channel.type) {
    case 'webhook': {
      const body = JSON.stringify({ event: alert.event, alert: alert.data });
      const delivery = randomUUID();
      return {
        body,
        headers: (nowMs) => ({
          'content-type': 'application/json',
          'airlock-event': alert.event,
          'airlock-delivery': delivery,
          [SIGNATURE_HEADER]: signWebhook(channel.secret, body, nowMs),
        }),
      };
    }
    case 'slack':
      return plainJson({
        text: slackEscape(truncate(alert.title, 300)),
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: truncate(alert.title, 150), emoji: false } },
          { type: 'section', fields: alert.facts.map((f) => ({ type: 'mrkdwn', text: `*${slackEscape(f.label)}*\n${slackEscape(truncate(f.value, 500))}` })) },
        ],
      });
    case 'teams':
      return plainJson(
        adaptiveCardMessage([
          { type: 'TextBlock', text: teamsEscape(truncate(alert.title, 150)), size: 'Large', weight: 'Bolder', wrap: true },
          { type: 'FactSet', facts: alert.facts.map((f) => ({ title: f.label, value: teamsEscape(truncate(f.value, 300)) })) },
        ]),
      );
  }
}
