// The obligation `approval_required` on the data plane. A request that carries
// `Airlock-Approval: <id>` spends that approval if it was granted for exactly this request by
// this principal; otherwise an approval is opened (or the pending one reused) and the request
// either waits for it (`hold_seconds`) or is refused with its id. Nothing is forwarded unless an
// approved approval was atomically marked used for this very request.
import type { IncomingMessage } from 'node:http';
import type { ApprovalService } from '../approvals/service.js';
import type { Approval, BoundRequest } from '../approvals/types.js';
import type { ErrorCode } from '../lib/errors.js';
import { formatEntity } from '../model/entity.js';
import type { DecidedRequest } from './decide-request.js';

export type GateResult =
  | { readonly forward: true; readonly approval: Approval }
  | { readonly forward: false; readonly code: ErrorCode; readonly detail: string; readonly approvalId?: string };

export interface ApprovalGateDeps {
  readonly approvals: ApprovalService;
  readonly holdSeconds: number;
}

export function boundRequestOf(req: IncomingMessage, d: DecidedRequest): BoundRequest {
  return { method: req.method ?? 'GET', path: `${d.path ?? '/'}${d.query ?? ''}`, body_sha256: d.bodySha256 ?? null };
}

export async function gateApproval(req: IncomingMessage, d: DecidedRequest, requestId: string, deps: ApprovalGateDeps): Promise<GateResult> {
  const principal = d.principal!;
  const request = d.request!;
  const decision = d.decision!;
  const resource = formatEntity(request.resource);
  const bound = boundRequestOf(req, d);
  const spend = (id: string) => deps.approvals.use(id, principal, request.action, resource, bound, requestId);

  const header = req.headers['airlock-approval'];
  if (typeof header === 'string' && header) {
    const r = await deps.approvals.redeem(header.trim(), principal, request.action, resource, bound, requestId);
    if (r.state === 'used') return { forward: true, approval: r.approval };
    if (r.state === 'pending') return { forward: false, code: 'approval_required', detail: 'the approval is still pending', approvalId: r.approval.id };
    return { forward: false, code: 'denied', detail: `the approval is ${r.status} or not for this request and principal` };
  }

  const approval = await deps.approvals.open({
    kind: 'request',
    principal,
    action: request.action,
    resource,
    resourceName: request.resourceName,
    context: d.context ?? {},
    request: bound,
    obligation: decision.obligations.approval!,
    requestId,
    policyVersion: decision.policyVersion,
    policies: decision.policies,
  });
  if (deps.holdSeconds > 0) {
    const gone = new AbortController();
    const onClose = () => gone.abort();
    req.socket.once('close', onClose);
    const decided = await deps.approvals.waiters.wait(approval.id, deps.holdSeconds * 1000, gone.signal);
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
