// The obligation `approval_required` on the data plane. A request that carries
// `Airlock-Approval: <id>` spends that approval if it was granted for exactly this request by
// this principal; a surface whose clients cannot send the header (kubectl) may ask that an
// approval granted for exactly this request be spent without it (`spendIdenticalRetry`: same
// principal, action, resource, method, path, query and body digest). Otherwise an approval is opened (or the pending one reused) and the request
// either waits for it (`hold_seconds`) or is refused with its id. Nothing is forwarded unless an
// approved approval was atomically marked used for this very request.
import type { IncomingMessage } from 'node:http';
import type { ApprovalService } from '../approvals/service.js';
import type { Approval, BoundRequest } from '../approvals/types.js';
import type { ErrorCode } from '../lib/errors.js';
import type { ActionRequest } from '../model/action-request.js';
import type { Decision } from '../model/decision.js';
import { formatEntity, type CedarRecord } from '../model/entity.js';
import type { Principal } from '../model/principal.js';

export type GateResult =
  | { readonly forward: true; readonly approval: Approval }
  | { readonly forward: false; readonly code: ErrorCode; readonly detail: string; readonly approvalId?: string };

export interface ApprovalGateDeps {
  readonly approvals: ApprovalService;
  readonly holdSeconds: number;
}

/** A decided request whose decision asks for an approval. */
export interface GateInput {
  readonly principal: Principal;
  readonly request: ActionRequest;
  readonly decision: Decision;
  readonly context: CedarRecord;
  readonly bound: BoundRequest;
  /** The approval id the client presents, if any. */
  readonly presented: string | undefined;
  /** Spend an approval granted for this very request even when none is presented (kubectl cannot add a header). */
  readonly spendIdenticalRetry?: boolean;
  /** Overrides approvals.hold_seconds (an admission review must answer within its budget: 0). */
  readonly holdSeconds?: number;
}

/** `req`'s socket tells a held request that its client went away. */
export async function gateApproval(req: IncomingMessage, g: GateInput, requestId: string, deps: ApprovalGateDeps): Promise<GateResult> {
  const { principal, request, decision, bound } = g;
  const resource = formatEntity(request.resource);
  const binding = { principal, action: request.action, resource, request: bound, requirements: decision.obligations.approval!.requirements };
  const spend = (id: string) => deps.approvals.use(id, binding, requestId);

  const presented = g.presented?.trim();
  if (presented) {
    const r = await deps.approvals.redeem(presented, binding, requestId);
    if (r.state === 'used') return { forward: true, approval: r.approval };
    if (r.state === 'pending') return { forward: false, code: 'approval_required', detail: 'the approval is still pending', approvalId: r.approval.id };
    const why = r.status === 'unknown' ? 'no such approval for this principal' : `the approval is ${r.status} or not for this request`;
    return { forward: false, code: 'denied', detail: why };
  }

  if (g.spendIdenticalRetry) {
    const granted = await deps.approvals.spendIdentical(binding, requestId);
    if (granted) return { forward: true, approval: granted };
  }

  const approval = await deps.approvals.open({
    kind: 'request',
    principal,
    action: request.action,
    resource,
    resourceName: request.resourceName,
    context: g.context,
    request: bound,
    obligation: decision.obligations.approval!,
    requestId,
    policyVersion: decision.policyVersion,
    policies: decision.policies,
  });
  const holdSeconds = g.holdSeconds ?? deps.holdSeconds;
  if (holdSeconds > 0) {
    const gone = new AbortController();
    const onClose = () => gone.abort();
    req.socket.once('close', onClose);
    const decided = await deps.approvals.waiters.wait(approval.id, holdSeconds * 1000, gone.signal);
    req.socket.off('close', onClose);
    if (gone.signal.aborted) return { forward: false, code: 'approval_required', detail: 'the client went away while waiting', approvalId: approval.id };
    if (decided?.status === 'approved') {
      const used = await spend(approval.id);
      if (used) return { forward: true, approval: used };
    }
    if (decided?.status === 'denied') return { forward: false, code: 'denied', detail: 'the approval was denied', approvalId: approval.id };
  }
  return { forward: false, code: 'approval_required', detail: 'this action needs an approval', approvalId: approval.id };
}
