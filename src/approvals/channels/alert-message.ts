// An alert as each channel shows it: the webhook gets the alert object (signed like approval
// notifications), Slack a line of text, Teams a one-block Adaptive Card. Alert details come from
// the audit log (principal ids, resource names): escaped like any request data.
import { randomUUID } from 'node:crypto';
import { SIGNATURE_HEADER, signWebhook } from '../../lib/webhook-signature.js';
import type { ChannelConfig } from './schema.js';
import { slackEscape } from './slack-message.js';
import { truncate } from './summary.js';
import { ADAPTIVE_CARD_CONTENT_TYPE, teamsEscape } from './teams-card.js';
import { plainJson, type RenderedMessage } from './webhook-payload.js';

export interface Alert {
  readonly name: string;
  readonly type: string;
  /** What it is about: a principal, an agent, a tool. */
  readonly key: string;
  readonly summary: string;
  readonly time: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export function renderAlert(channel: ChannelConfig, alert: Alert): RenderedMessage {
  const text = truncate(`Airlock alert ${alert.name}: ${alert.summary}`, 1000);
  switch (channel.type) {
    case 'webhook': {
      const body = JSON.stringify({ event: 'alert', alert });
      const delivery = randomUUID();
      return {
        body,
        headers: (nowMs) => ({ 'content-type': 'application/json', 'airlock-event': 'alert', 'airlock-delivery': delivery, [SIGNATURE_HEADER]: signWebhook(channel.secret, body, nowMs) }),
      };
    }
    case 'slack':
      return plainJson({ text: `:rotating_light: ${slackEscape(text)}` });
    case 'teams':
      return plainJson({
        type: 'message',
        attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: teamsEscape(text), wrap: true }] } }],
      });
  }
}
