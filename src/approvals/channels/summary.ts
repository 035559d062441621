// What every channel says about an approval: the event names, the console link, and a short,
// bounded summary of the request context. Chat messages are read at a glance and have size
// limits, so values are flattened to text and truncated here, once, for all renderers.
import type { CedarValue } from '../../model/entity.js';
import type { Approval } from '../types.js';

export const APPROVAL_EVENTS = ['approval.created', 'approval.approved', 'approval.denied', 'approval.expired', 'approval.used'] as const;
export type ApprovalEvent = (typeof APPROVAL_EVENTS)[number];

export function approveUrl(consoleUrl: string, approvalId: string): string {
  return `${consoleUrl.replace(/\/+$/, '')}/approvals/${encodeURIComponent(approvalId)}`;
}

/** `type:host`: names a channel in outcomes and logs without the URL, which may embed a token. */
export function channelLabel(channel: { type: string; url: string }): string {
  let host = 'invalid-url';
  try {
    host = new URL(channel.url).host;
  } catch {
    // the schema refuses such URLs; keep the label total anyway
  }
  return `${channel.type}:${host}`;
}

// The context keys worth a human's attention, in reading order. Time and MFA facts are left out:
// the approver sees the request, not the decision inputs.
const SUMMARY_KEYS = ['model', 'tool', 'arguments', 'statement', 'tables', 'gpus', 'replicas', 'stream', 'max_tokens', 'source_ip'] as const;

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function valueText(v: CedarValue): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(valueText).join(', ');
  // An extension value (an ip, a decimal) reads best as its argument: `10.0.0.1`.
  const extn = (v as { __extn?: { arg?: CedarValue } }).__extn;
  if (extn?.arg !== undefined) return valueText(extn.arg);
  return JSON.stringify(v);
}

/** Label/value pairs, each value at most 120 characters: request line first, then the keys above. */
export function contextFacts(approval: Approval): Array<{ label: string; value: string }> {
  const ctx = approval.context;
  const facts: Array<{ label: string; value: string }> = [];
  const method = typeof ctx.method === 'string' ? ctx.method : approval.request.method;
  const path = typeof ctx.path === 'string' ? ctx.path : approval.request.path;
  if (method || path) facts.push({ label: 'request', value: truncate(`${method} ${path}`.trim(), 120) });
  for (const key of SUMMARY_KEYS) {
    const v = ctx[key];
    if (v !== undefined) facts.push({ label: key, value: truncate(valueText(v), 120) });
  }
  return facts;
}

/** One line: `model: gpt-4o · request: POST /v1/chat/completions`, at most `max` characters. */
export function contextSummary(approval: Approval, max = 300): string {
  return truncate(contextFacts(approval).map((f) => `${f.label}: ${f.value}`).join(' · '), max);
}

export function principalText(approval: Approval): string {
  return `${approval.principal.type}::"${approval.principal.id}"`;
}

export function eventVerb(event: ApprovalEvent): string {
  return event.slice('approval.'.length);
}
