// The shapes of audit records (version 1). A record says who, what, on what, the decision with
// its reasons and policy version, and never a credential: principals appear by uid and groups,
// bodies only as a digest. The store adds `v` and `seq`.
import type { Decision } from '../model/decision.js';
import type { CedarRecord, EntityRef } from '../model/entity.js';
import { formatEntity } from '../model/entity.js';
import type { Principal } from '../model/principal.js';
import type { AuditEntry } from '../store/ports.js';
import type { CapturedBody } from './capture/index.js';

export interface PrincipalSummary {
  readonly type: string;
  readonly id: string;
  readonly groups: readonly string[];
}

export function principalSummary(p: Principal): PrincipalSummary {
  return { type: p.type, id: p.id, groups: p.groups };
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
}

export function decisionEntry(f: DecisionFacts): AuditEntry {
  const d = f.decision;
  // Optional fields are assigned in place rather than spread from temporary objects: this runs
  // for every request. Assignment order is the record's field order.
  const entry: Record<string, unknown> & { kind: string } = {
    kind: 'decision',
    time: f.time.toISOString(),
    request_id: f.requestId,
    surface: f.surface,
    principal: f.principal ? principalSummary(f.principal) : null,
    action: f.action ?? null,
    resource: f.resource ? formatEntity(f.resource) : null,
    resource_name: f.resourceName ?? null,
    decision: d?.effect ?? f.refusal ?? 'deny',
    reasons: d?.reasons ?? f.reasons ?? [],
    policies: d?.policies ?? [],
    policy_version: d?.policyVersion ?? null,
  };
  if (d?.obligations && Object.keys(d.obligations).length) entry.obligations = d.obligations;
  if (d?.shadow) entry.shadow = { decision: d.shadow.effect, policies: d.shadow.policies, policy_version: d.shadow.policyVersion };
  entry.context = f.context ?? null;
  if (f.body) entry.body = f.body;
  if (f.approvalId) entry.approval_id = f.approvalId;
  if (f.status !== undefined) entry.status = f.status;
  if (f.latencyMs !== undefined) entry.latency_ms = round(f.latencyMs);
  return entry;
}

export interface OutcomeFacts {
  readonly requestId: string;
  readonly time: Date;
  readonly status: number;
  readonly bytes: number;
  readonly latencyMs: number;
  readonly error?: string;
}

/** Appended when an allowed request's response ends; linked to its decision by request_id. */
export function outcomeEntry(f: OutcomeFacts): AuditEntry {
  return {
    kind: 'outcome',
    time: f.time.toISOString(),
    request_id: f.requestId,
    status: f.status,
    bytes: f.bytes,
    latency_ms: round(f.latencyMs),
    ...(f.error ? { error: f.error } : {}),
  };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
