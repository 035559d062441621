// The decide stage's result. Refusals are data here; each protocol adapter renders them.

export type Effect = 'allow' | 'deny' | 'approval_required' | 'mfa_required';

/** What one permit's `@approval` / `@quorum` asks for. */
export interface ApprovalRequirement {
  /** Its approvers must be members of one of these groups. */
  readonly groups: readonly string[];
  /** Distinct approvers it needs. */
  readonly quorum: number;
}

export interface ApprovalObligation {
  /**
   * One per determining permit that asks for an approval (identical ones once). All must be met,
   * each by its own distinct approvers: `@approval("security")` and `@approval("ml-leads")` on two
   * permits need a security approver and another person from ml-leads.
   */
  readonly requirements: readonly ApprovalRequirement[];
  /** Every approving group (what one-line summaries show). */
  readonly groups: readonly string[];
  /** Distinct approvers needed in all: the requirements' quorums added up. */
  readonly quorum: number;
}

export interface MfaObligation {
  /** Longest accepted time since authentication, in seconds; undefined: any age. */
  readonly maxAge?: number;
}

export interface Obligations {
  readonly approval?: ApprovalObligation;
  readonly mfa?: MfaObligation;
}

export interface Decision {
  readonly effect: Effect;
  /** Ids of the determining policies (`@id`, else `<file>#<index>`). */
  readonly policies: readonly string[];
  /** Short, human-readable reasons, e.g. `no permit matched`, `forbidden by deny-prod`. */
  readonly reasons: readonly string[];
  readonly obligations: Obligations;
  /** SHA-256 over the bundle's files; empty when no bundle decided (e.g. unauthenticated). */
  readonly policyVersion: string;
  /** Set in shadow mode when the candidate bundle decided differently (it never affects the request). */
  readonly shadow?: ShadowDecision;
}

export interface ShadowDecision {
  readonly effect: Effect;
  readonly policies: readonly string[];
  readonly policyVersion: string;
}
