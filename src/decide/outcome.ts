// Decide stage: Cedar's answer -> the outcome we cache -> the Decision for one principal.
// Deny is computed first and every doubt ends there: an engine failure, an error inside a
// forbid, a determining policy we do not know. An error inside a permit only means that
// permit does not apply, as in Cedar itself.
import type { AuthorizationAnswer } from './cedar.js';
import type { ApprovalObligation, ApprovalRequirement, Decision, Obligations } from '../model/decision.js';
import type { Principal } from '../model/principal.js';
import type { BundlePolicy } from './types.js';

export interface Outcome {
  readonly allowed: boolean;
  readonly policies: readonly string[];
  readonly reasons: readonly string[];
  readonly obligations: Obligations;
  /** False for engine failures: they are cheap to repeat and should not outlive their cause. */
  readonly cacheable: boolean;
}

const MAX_ERROR_REASONS = 5;

export function denied(reasons: string[], policies: string[] = [], cacheable = false): Outcome {
  return { allowed: false, policies, reasons, obligations: {}, cacheable };
}

export function fromAnswer(answer: AuthorizationAnswer, byId: ReadonlyMap<string, BundlePolicy>): Outcome {
  if (answer.type !== 'success') {
    return denied([`policy engine failure: ${answer.errors.map((e) => e.message).join('; ') || 'unknown'}`]);
  }
  const { decision } = answer.response;
  // Sorted, so that the same request gives the same reasons however the set was sliced.
  const errors = [...answer.response.diagnostics.errors].sort((a, b) => cmp(a.policyId, b.policyId));
  const determining = [...answer.response.diagnostics.reason].sort(cmp);
  const isPermit = (id: string): boolean => byId.get(id)?.effect === 'permit';
  const brokenForbids = errors.filter((e) => !isPermit(e.policyId));
  if (brokenForbids.length > 0) {
    const reasons = brokenForbids.slice(0, MAX_ERROR_REASONS).map((e) => `forbid ${e.policyId} could not be evaluated: ${e.error.message}`);
    return denied(reasons, unique(brokenForbids.map((e) => e.policyId)), true);
  }
  const permitErrors = errors
    .slice(0, MAX_ERROR_REASONS)
    .map((e) => `permit ${e.policyId} not applied: ${e.error.message}`);
  if (decision !== 'allow') {
    const forbids = determining.filter((id) => !isPermit(id));
    if (forbids.length > 0) return denied([`forbidden by ${forbids.join(', ')}`, ...permitErrors], forbids, true);
    return denied(['no permit matched', ...permitErrors], [], true);
  }
  if (determining.length === 0 || !determining.every(isPermit)) {
    return denied([`inconsistent engine answer: allow determined by [${determining.join(', ')}]`]);
  }
  const obligations = combine(determining.map((id) => byId.get(id)!));
  return { allowed: true, policies: determining, reasons: [`permitted by ${determining.join(', ')}`, ...permitErrors], obligations, cacheable: true };
}

/** The obligations of all determining permits apply together. */
function combine(permits: readonly BundlePolicy[]): Obligations {
  const mfa = permits.filter((p) => p.obligations.mfa);
  const ages = mfa.flatMap((p) => (p.obligations.mfaMaxAge === undefined ? [] : [p.obligations.mfaMaxAge]));
  const approval = approvalObligation(
    permits.flatMap((p) => (p.obligations.approvalGroups ? [{ groups: p.obligations.approvalGroups, quorum: p.obligations.quorum ?? 1 }] : [])),
  );
  return {
    ...(approval ? { approval } : {}),
    ...(mfa.length > 0 ? { mfa: ages.length > 0 ? { maxAge: Math.min(...ages) } : {} } : {}),
  };
}

/** One requirement per permit, identical ones once, in a stable order; undefined when none asks. */
export function approvalObligation(asked: readonly ApprovalRequirement[]): ApprovalObligation | undefined {
  const byKey = new Map<string, ApprovalRequirement>();
  for (const r of asked) {
    const groups = unique([...r.groups]).sort(cmp);
    byKey.set(JSON.stringify([groups, r.quorum]), { groups, quorum: Math.max(1, r.quorum) });
  }
  if (!byKey.size) return undefined;
  const requirements = [...byKey.keys()].sort(cmp).map((k) => byKey.get(k)!);
  return {
    requirements,
    groups: unique(requirements.flatMap((r) => r.groups)),
    quorum: requirements.reduce((n, r) => n + r.quorum, 0),
  };
}

/** Applies the per-call part: MFA state belongs to the principal, so it is never cached. */
export function finalize(outcome: Outcome, principal: Principal, policyVersion: string): Decision {
  const base = { policies: outcome.policies, policyVersion };
  if (!outcome.allowed) return { ...base, effect: 'deny', reasons: outcome.reasons, obligations: {} };
  const { mfa, approval } = outcome.obligations;
  const obligations = outcome.obligations;
  if (mfa && (!principal.mfa || (mfa.maxAge !== undefined && principal.mfaAge > mfa.maxAge))) {
    const why = mfa.maxAge === undefined ? 'step-up authentication required' : `step-up authentication within ${mfa.maxAge}s required`;
    return { ...base, effect: 'mfa_required', reasons: [...outcome.reasons, why], obligations };
  }
  if (approval) {
    const why = `approval required: ${approval.requirements.map((r) => `${r.quorum} of ${r.groups.join(', ')}`).join(' and ')}`;
    return { ...base, effect: 'approval_required', reasons: [...outcome.reasons, why], obligations };
  }
  return { ...base, effect: 'allow', reasons: outcome.reasons, obligations };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}
