// The `slack` channel's message: Block Kit for an incoming webhook. A new approval gets the full
// card with Approve/Deny buttons (handled by slack-interactions.ts) and a link to the console;
// later events get one line of text, since the buttons on the first message already say enough.
import { describeRequirements } from '../requirements.js';
import type { Approval } from '../types.js';
import { type ApprovalEvent, approveUrl, contextSummary, eventVerb, principalText, truncate } from './summary.js';

export const SLACK_APPROVE_ACTION = 'airlock_approve';
export const SLACK_DENY_ACTION = 'airlock_deny';
export const SLACK_OPEN_ACTION = 'airlock_open';

// Request data (paths, prompts' model names, SQL) is attacker-influenced. In mrkdwn `<…>` makes
// links and mentions (`<!channel>`), so &, < and > are escaped as Slack documents.
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const plain = (text: string, max = 75) => ({ type: 'plain_text', text: truncate(text, max), emoji: false });
// Section fields are capped at 2000 characters by Slack; ours stay far below.
const field = (label: string, value: string) => ({ type: 'mrkdwn', text: `*${label}*\n${slackEscape(truncate(value, 500))}` });

export function slackMessage(event: ApprovalEvent, approval: Approval, consoleUrl: string): Record<string, unknown> {
  const link = approveUrl(consoleUrl, approval.id);
  if (event !== 'approval.created') {
    return {
      text: `Airlock approval ${slackEscape(approval.id)} ${eventVerb(event)}: ${slackEscape(approval.action)} on ${slackEscape(approval.resource)} by ${slackEscape(principalText(approval))} (<${link}|details>)`,
    };
  }
  const fields = [
    field('Principal', principalText(approval)),
    field('Action', approval.action),
    field('Resource', approval.resource),
    field('Context', contextSummary(approval) || '-'),
    field('Expires', approval.expires_at),
    field('Approvers', describeRequirements(approval.requirements)),
  ];
  return {
    // The fallback text is what notifications and screen readers show.
    text: `Approval needed: ${slackEscape(principalText(approval))} wants ${slackEscape(approval.action)} on ${slackEscape(approval.resource)}`,
    blocks: [
      { type: 'header', text: plain(`Approval needed: ${approval.action}`, 150) },
      { type: 'section', fields },
      ...(approval.reason ? [{ type: 'section', text: { type: 'mrkdwn', text: `*Reason*\n${slackEscape(truncate(approval.reason, 500))}` } }] : []),
      {
        type: 'actions',
        block_id: `airlock_${truncate(approval.id, 200)}`,
        elements: [
          { type: 'button', action_id: SLACK_APPROVE_ACTION, text: plain('Approve'), style: 'primary', value: approval.id },
          { type: 'button', action_id: SLACK_DENY_ACTION, text: plain('Deny'), style: 'danger', value: approval.id },
          { type: 'button', action_id: SLACK_OPEN_ACTION, text: plain('Open in Airlock'), url: link },
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Approval \`${slackEscape(approval.id)}\`` }] },
    ],
  };
}
