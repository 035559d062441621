// What an approval is bound to. The fingerprint covers who asked, the action, the resource and
// the exact request (method, path with query, body digest), so an approval granted for one request
// can never be spent on another, nor by another principal.
import { createHash } from 'node:crypto';
import type { BoundRequest } from './types.js';

export function approvalFingerprint(
  principal: { readonly type: string; readonly id: string; readonly onBehalfOf?: { readonly type: string; readonly id: string } },
  action: string,
  resource: string,
  request: BoundRequest,
): string {
  const parts: unknown[] = [principal.type, principal.id, action, resource, request.method, request.path, request.body_sha256];
  // A delegated request is bound to its subject too: an agent's approval to act for one person is
  // not an approval to act for another.
  if (principal.onBehalfOf) parts.push(principal.onBehalfOf.type, principal.onBehalfOf.id);
  const material = JSON.stringify(parts);
  return createHash('sha256').update(material).digest('hex');
}
