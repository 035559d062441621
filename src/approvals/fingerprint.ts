// What an approval is bound to. The fingerprint covers who asked, the action, the resource, the
// exact request (method, path with query, body digest) and what the policy asked of approvers
// (groups and quorums), so an approval granted for one request can never be spent on another, nor
// by another principal, nor after the bundle has come to demand more of it.
import { createHash } from 'node:crypto';
import type { ApprovalRequirement } from '../model/decision.js';
import type { BoundRequest } from './types.js';

export function approvalFingerprint(
  principal: { readonly type: string; readonly id: string; readonly onBehalfOf?: { readonly type: string; readonly id: string } },
  action: string,
  resource: string,
  request: BoundRequest,
  requirements: readonly ApprovalRequirement[],
): string {
  const asked = requirements.map((r) => [[...r.groups].sort(), r.quorum]).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  const parts: unknown[] = [principal.type, principal.id, action, resource, request.method, request.path, request.query_sha256 ?? null, request.body_sha256, asked];
  // A delegated request is bound to its subject too: an agent's approval to act for one person is
  // not an approval to act for another.
  if (principal.onBehalfOf) parts.push(principal.onBehalfOf.type, principal.onBehalfOf.id);
  const material = JSON.stringify(parts);
  return createHash('sha256').update(material).digest('hex');
}
