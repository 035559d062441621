// What an approval is bound to. The fingerprint covers who asked, the action, the resource and
// the exact request (method, path with query, body digest), so an approval granted for one request
// can never be spent on another, nor by another principal.
import { createHash } from 'node:crypto';
import type { BoundRequest } from './types.js';

export function approvalFingerprint(
  principal: { readonly type: string; readonly id: string },
  action: string,
  resource: string,
  request: BoundRequest,
): string {
  const material = JSON.stringify([principal.type, principal.id, action, resource, request.method, request.path, request.body_sha256]);
  return createHash('sha256').update(material).digest('hex');
}
