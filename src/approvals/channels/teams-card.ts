// The `teams` channel's message: an Adaptive Card in a `message` activity, the shape Teams
// incoming webhooks and Workflows accept. Teams cannot call back into Airlock without a bot, so
// the card links to the console, where the approver signs in and votes.
import { describeRequirements } from '../requirements.js';
import type { Approval } from '../types.js';
import { type ApprovalEvent, approveUrl, contextFacts, eventVerb, principalText, truncate } from './summary.js';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

// Adaptive Card text is markdown, and request data is attacker-influenced: a path could carry
// `[Approve here](https://evil)`. Teams honours few backslash escapes, so a zero-width space is
// put where it breaks link syntax (`](` and `<…>`) without changing what a reader sees.
export function teamsEscape(text: string): string {
  return text.replace(/\]\(/g, ']\u200B(').replace(/</g, '<\u200B');
}

const fact = (title: string, value: string) => ({ title, value: teamsEscape(truncate(value, 300)) });

export function teamsMessage(event: ApprovalEvent, approval: Approval, consoleUrl: string): Record<string, unknown> {
  const link = approveUrl(consoleUrl, approval.id);
  const created = event === 'approval.created';
  const facts = created
    ? [
        fact('Principal', principalText(approval)),
        fact('Action', approval.action),
        fact('Resource', approval.resource),
        ...contextFacts(approval).map((f) => fact(f.label, f.value)),
        ...(approval.reason ? [fact('Reason', approval.reason)] : []),
        fact('Approvers', describeRequirements(approval.requirements)),
        fact('Expires', approval.expires_at),
      ]
    : [fact('Action', approval.action), fact('Resource', approval.resource), fact('Principal', principalText(approval))];
  const title = created ? `Approval needed: ${approval.action}` : `Approval ${eventVerb(event)}: ${approval.action}`;
  return adaptiveCardMessage(
    [
      { type: 'TextBlock', text: teamsEscape(truncate(title, 150)), size: 'Large', weight: 'Bolder', wrap: true },
      { type: 'FactSet', facts },
      { type: 'TextBlock', text: `Approval ${teamsEscape(approval.id)}`, isSubtle: true, size: 'Small', wrap: true },
    ],
    [{ type: 'Action.OpenUrl', title: created ? 'Review and approve' : 'Open in Airlock', url: link }],
  );
}

/** A `message` activity carrying one Adaptive Card with this body and these actions. */
export function adaptiveCardMessage(body: readonly unknown[], actions: readonly unknown[] = []): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [
      {
        contentType: ADAPTIVE_CARD_CONTENT_TYPE,
        contentUrl: null,
        content: { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.4', body, ...(actions.length ? { actions } : {}) },
      },
    ],
  };
}
