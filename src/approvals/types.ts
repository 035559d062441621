// Approvals: the shapes shared by the store, the service, the channels and the API.
import type { ApprovalRequirement } from '../model/decision.js';
import type { CedarRecord } from '../model/entity.js';

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'used';
export type VoteChoice = 'approve' | 'deny';

export interface ApprovalPrincipal {
  readonly type: string;
  readonly id: string;
  readonly groups: readonly string[];
  /** The person a delegated agent acted for. */
  readonly on_behalf_of?: { readonly type: string; readonly id: string };
}

export interface Vote {
  readonly approver: { readonly type: string; readonly id: string };
  /** The approver's approving groups when they voted: which requirements the vote can count for. */
  readonly groups?: readonly string[];
  readonly vote: VoteChoice;
  readonly reason: string;
  /** ISO time. */
  readonly time: string;
}

/** What an approval is bound to: the exact request, so it cannot be spent on another one. */
export interface BoundRequest {
  readonly method: string;
  /** Path after the resource mount, without the query string. */
  readonly path: string;
  /**
   * SHA-256 of the query string (with its `?`), null when there is none. The query is bound but
   * never stored: it may carry secrets (`?api_key=`), and approvals are shown to other people.
   */
  readonly query_sha256?: string | null;
  readonly body_sha256: string | null;
}

export interface Approval {
  readonly id: string;
  /**
   * `request`: a proxied request; `grant`: a just-in-time group membership; `gate`: a pipeline
   * step; `secret`: a secret handed out by the broker (`GET /api/v1/secrets/{name}`).
   */
  readonly kind: 'request' | 'grant' | 'gate' | 'secret';
  readonly status: ApprovalStatus;
  readonly principal: ApprovalPrincipal;
  readonly action: string;
  /** `Type::"id"` */
  readonly resource: string;
  readonly resource_name: string | null;
  readonly context: CedarRecord;
  readonly request: BoundRequest;
  /** SHA-256 over principal, action, resource and the bound request. */
  readonly fingerprint: string;
  /** Every approving group; each requirement names its own. */
  readonly groups: readonly string[];
  /** Distinct approvers needed in all. */
  readonly quorum: number;
  /** One per permit that asked for an approval; all must be met, each by its own approvers. */
  readonly requirements: readonly ApprovalRequirement[];
  readonly votes: readonly Vote[];
  readonly reason: string | null;
  readonly request_id: string;
  readonly policy_version: string;
  readonly policies: readonly string[];
  readonly created_at: string;
  readonly expires_at: string;
  readonly decided_at: string | null;
  readonly used_at: string | null;
}
