// The shapes of audit records (version 1). A record says who, what, on what, the decision with
// its reasons and policy version, and never a credential: principals appear by uid and groups,
// bodies only as a digest. The store adds `v` and `seq`.
import type { Decision } from '../model/decision.js';
import type { CedarRecord, EntityRef } from '../model/entity.js';
import { formatEntity } from '../model/entity.js';
import type { Principal } from '../model/principal.js';
import type { EncodedEntry } from '../store/ports.js';
import type { CapturedBody } from './capture/index.js';
import { isoTime } from '../lib/iso-time.js';

function principalJson(p: Principal): string {
  let groups = '';
  for (const g of p.groups) groups += groups ? `,${str(g)}` : str(g);
  const subject = p.onBehalfOf ? `,"on_behalf_of":${principalJson(p.onBehalfOf)}` : '';
  return `{"type":${str(p.type)},"id":${str(p.id)},"groups":[${groups}]${subject}}`;
}

export interface DecisionFacts {
  readonly requestId: string;
  readonly time: Date;
  readonly surface: 'data' | 'control';
  readonly principal?: Principal;
  readonly action?: string;
  readonly resource?: EntityRef;
  readonly resourceName?: string;
  readonly context?: CedarRecord;
  /** The outcome when no policy decided: unauthenticated, not_found, bad_request, ... */
  readonly refusal?: string;
  readonly decision?: Decision;
  readonly reasons?: readonly string[];
  /** What `audit.capture` keeps of the body: a digest, a redacted copy, or nothing. */
  readonly body?: CapturedBody;
  readonly approvalId?: string;
  /** Known for refusals (answered at once); allowed requests get an outcome record instead. */
  readonly status?: number;
  readonly latencyMs?: number;
  /** A surface's own facts (a tool call's session, an object's bucket and key); never a credential. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/**
 * The decision record as its encoded text, the form the audit writer appends. Built as a string
 * because it runs for every request: the decision's own fields (effect, reasons, policies,
 * version, obligations, shadow) are the same for every request one cached outcome decides, so
 * they are serialised once per Decision. Field order is the record's field order.
 */
export function decisionRecord(f: DecisionFacts): EncodedEntry {
  const d = f.decision;
  let text =
    `{"kind":"decision","time":"${isoTime(f.time)}","request_id":${str(f.requestId)},"surface":"${f.surface}"` +
    `,"principal":${f.principal ? principalJson(f.principal) : 'null'}` +
    `,"action":${strOrNull(f.action)},"resource":${f.resource ? str(formatEntity(f.resource)) : 'null'},"resource_name":${strOrNull(f.resourceName)}` +
    `,${d ? decisionFields(d) : `"decision":${json(f.refusal ?? 'deny')},"reasons":${json(f.reasons ?? [])},"policies":[],"policy_version":null`}` +
    `,"context":${json(f.context ?? null)}`;
  if (f.body) text += `,"body":${json(f.body)}`;
  if (f.approvalId) text += `,"approval_id":${str(f.approvalId)}`;
  if (f.status !== undefined) text += `,"status":${num(f.status)}`;
  if (f.latencyMs !== undefined) text += `,"latency_ms":${millis(f.latencyMs)}`;
  if (f.fields) text += surfaceFields(f.fields);
  return `${text}}` as EncodedEntry;
}

const decisionFieldsOf = new WeakMap<Decision, string>();

function decisionFields(d: Decision): string {
  let text = decisionFieldsOf.get(d);
  if (text === undefined) {
    text = `"decision":${json(d.effect)},"reasons":${json(d.reasons)},"policies":${json(d.policies)},"policy_version":${json(d.policyVersion ?? null)}`;
    if (d.obligations && Object.keys(d.obligations).length) text += `,"obligations":${json(d.obligations)}`;
    if (d.shadow) text += `,"shadow":${json({ decision: d.shadow.effect, policies: d.shadow.policies, policy_version: d.shadow.policyVersion })}`;
    decisionFieldsOf.set(d, text);
  }
  return text;
}

export interface OutcomeFacts {
  readonly requestId: string;
  readonly time: Date;
  readonly status: number;
  readonly bytes: number;
  readonly latencyMs: number;
  readonly error?: string;
  /** A surface's own facts (an object's ETag, a tool result's digest). */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** Appended when an allowed request's response ends; linked to its decision by request_id. */
export function outcomeRecord(f: OutcomeFacts): EncodedEntry {
  let text =
    `{"kind":"outcome","time":"${isoTime(f.time)}","request_id":${str(f.requestId)}` +
    `,"status":${num(f.status)},"bytes":${num(f.bytes)},"latency_ms":${millis(f.latencyMs)}`;
  if (f.error) text += `,"error":${str(f.error)}`;
  if (f.fields) text += surfaceFields(f.fields);
  return `${text}}` as EncodedEntry;
}

/** Names a record already has (or the store adds); a surface field never shadows one. */
const RECORD_KEYS = new Set([
  'v', 'seq', 'kind', 'time', 'request_id', 'surface', 'principal', 'action', 'resource', 'resource_name', 'decision', 'reasons',
  'policies', 'policy_version', 'obligations', 'shadow', 'context', 'body', 'approval_id', 'status', 'latency_ms', 'bytes', 'error',
]);

function surfaceFields(fields: Readonly<Record<string, unknown>>): string {
  let text = '';
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value === undefined || RECORD_KEYS.has(key)) continue;
    text += `,${str(key)}:${json(value)}`;
  }
  return text;
}

/**
 * Milliseconds to the microsecond, as JSON.stringify(Math.round(ms * 1000) / 1000) would write
 * them: the digits of the whole microseconds with trailing zeros dropped. Written out here
 * because turning a double into its shortest text is slow in V8 (~1-2 us a call measured here).
 */
function millis(ms: number): string {
  const us = Math.round(ms * 1000);
  if (!(us >= 0 && us < 1e15)) return num(Math.round(ms * 1000) / 1000);
  const whole = Math.floor(us / 1000);
  let frac = us - whole * 1000;
  if (frac === 0) return String(whole);
  let digits = 3;
  while (frac % 10 === 0) {
    frac /= 10;
    digits--;
  }
  return `${whole}.${String(frac).padStart(digits, '0')}`;
}
const json = JSON.stringify;

// Most strings here (ids, names, actions) are printable ASCII without a quote or backslash, and
// need no escaping: quoting them directly skips a call into JSON.stringify (~0.3 us each here).
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const str = (s: string): string => (PLAIN.test(s) ? `"${s}"` : json(s));
const strOrNull = (s: string | undefined): string => (s === undefined ? 'null' : str(s));
/** JSON's rendering of a number: non-finite ones are null. */
const num = (n: number): string => (Number.isFinite(n) ? String(n) : 'null');
