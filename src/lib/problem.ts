// RFC 9457 problem details: the one place where refusal codes become HTTP statuses and bodies.
import type { ServerResponse } from 'node:http';
import type { ErrorCode } from './errors.js';

const STATUS: Record<ErrorCode, number> = {
  unauthenticated: 401,
  mfa_required: 401,
  denied: 403,
  approval_required: 403,
  tool_changed: 403,
  not_found: 404,
  conflict: 409,
  bad_request: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  too_many_pending: 429,
  quota_exceeded: 403,
  upstream_unavailable: 502,
  upstream_timeout: 504,
  audit_unavailable: 503,
  store_unavailable: 503,
  config_invalid: 500,
  policy_invalid: 500,
  secret_tampered: 500,
  internal: 500,
};

const TITLE: Record<ErrorCode, string> = {
  unauthenticated: 'Authentication required',
  mfa_required: 'Step-up authentication required',
  denied: 'Denied by policy',
  approval_required: 'Approval required',
  tool_changed: 'Tool definition changed',
  not_found: 'Not found',
  conflict: 'Conflict',
  bad_request: 'Bad request',
  payload_too_large: 'Request body too large',
  unsupported_media_type: 'Unsupported media type',
  rate_limited: 'Too many requests',
  too_many_pending: 'Too many pending approvals',
  quota_exceeded: 'Quota exceeded',
  upstream_unavailable: 'Upstream unavailable',
  upstream_timeout: 'Upstream timeout',
  audit_unavailable: 'Audit log unavailable',
  store_unavailable: 'Store unavailable',
  config_invalid: 'Invalid configuration',
  policy_invalid: 'Invalid policy bundle',
  secret_tampered: 'Secret failed its integrity check',
  internal: 'Internal error',
};

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

export interface ProblemOptions {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly requestId: string;
  /** Extra members (approval_id, ...). */
  readonly extra?: Record<string, unknown>;
  readonly headers?: Record<string, string>;
}

export function sendProblem(res: ServerResponse, p: ProblemOptions): number {
  const status = STATUS[p.code];
  const body = JSON.stringify({
    type: `urn:airlock:problem:${p.code}`,
    title: TITLE[p.code],
    status,
    detail: p.detail,
    code: p.code,
    request_id: p.requestId,
    ...p.extra,
    // OpenAI-style clients read `error`; the same facts there make their exceptions readable.
    error: { message: p.detail, type: p.code, code: p.code, ...p.extra },
  });
  if (res.headersSent) {
    res.destroy();
    return status;
  }
  res.writeHead(status, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    'airlock-request-id': p.requestId,
    ...p.headers,
  });
  res.end(body);
  return status;
}

/**
 * The detail of an `unauthenticated` refusal for a request that carries no bearer token at all (no
 * `Authorization`, or another scheme): its challenge names no error (RFC 6750 3.1).
 */
export const NO_BEARER_TOKEN = 'no bearer token';

/**
 * RFC 6750 / RFC 9470 challenges for 401 answers. An `unauthenticated` refusal with its `detail`
 * says `error="invalid_token"` (so an OAuth client knows to get a new token) with the detail as
 * `error_description`, unless there was no token (NO_BEARER_TOKEN) or no detail: a bare `Bearer`.
 */
export function bearerChallenge(code: ErrorCode, maxAge?: number, detail?: string): Record<string, string> {
  if (code === 'mfa_required') {
    const age = maxAge !== undefined ? `, max_age="${maxAge}"` : '';
    return {
      'www-authenticate': `Bearer error="insufficient_user_authentication", error_description="step-up authentication required"${age}`,
    };
  }
  if (code !== 'unauthenticated') return {};
  if (detail === undefined || detail === NO_BEARER_TOKEN) return { 'www-authenticate': 'Bearer' };
  return { 'www-authenticate': `Bearer error="invalid_token", error_description="${descriptionText(detail)}"` };
}

/** The challenge for a refusal as surfaces carry it (`code` and `detail`). */
export function refusalChallenge(r: { readonly code: ErrorCode; readonly detail: string }): Record<string, string> {
  return bearerChallenge(r.code, undefined, r.detail);
}

/** RFC 6750 3: error_description is printable ASCII without `"` and `\`. */
function descriptionText(detail: string): string {
  return detail.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, ' ').slice(0, 200);
}
