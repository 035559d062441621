// The `webhook` channel: the documented JSON body and the `Airlock-Signature` header (contract §6).
// Each attempt is signed afresh, so a retry late in the backoff still passes a receiver's replay
// window; `Airlock-Delivery` stays the same across attempts so a receiver can de-duplicate.
import { randomUUID } from 'node:crypto';
import { SIGNATURE_HEADER, signWebhook } from '../../lib/webhook-signature.js';
import type { Approval } from '../types.js';
import type { WebhookChannelConfig } from './schema.js';
import { type ApprovalEvent, approveUrl } from './summary.js';

export interface RenderedMessage {
  readonly body: string;
  /** Headers for one attempt at `nowMs` (signatures are time-bound). */
  headers(nowMs: number): Record<string, string>;
}

export function webhookBody(event: ApprovalEvent, approval: Approval, consoleUrl: string): string {
  return JSON.stringify({ event, approval, approve_url: approveUrl(consoleUrl, approval.id) });
}

export function renderWebhook(channel: WebhookChannelConfig, event: ApprovalEvent, approval: Approval, consoleUrl: string): RenderedMessage {
  const body = webhookBody(event, approval, consoleUrl);
  const delivery = randomUUID();
  return {
    body,
    headers: (nowMs) => ({
      'content-type': 'application/json',
      'airlock-event': event,
      'airlock-delivery': delivery,
      [SIGNATURE_HEADER]: signWebhook(channel.secret, body, nowMs),
    }),
  };
}

/** Slack and Teams webhooks authenticate by the secret in their URL: a plain JSON POST. */
export function plainJson(payload: unknown): RenderedMessage {
  const body = JSON.stringify(payload);
  return { body, headers: () => ({ 'content-type': 'application/json' }) };
}
