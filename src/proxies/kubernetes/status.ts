// Refusals in the API server's own dialect: a `Status` object (kind Status, apiVersion v1, status
// Failure, a reason kubectl and client libraries know, the HTTP code). kubectl prints a Status's
// `message` (`Error from server (Forbidden): ...`), so the message names the problem code, the
// approval to wait for and the request id; `details` carries them as fields for programs
// (`details.code`, `details.request_id`, `details.approval_id`) and as causes, which Go clients keep.
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '../../lib/errors.js';
import { bearerChallenge, statusOf } from '../../lib/problem.js';
import type { Refusal } from '../../pipeline/stage-contract.js';

const REASONS: Partial<Record<ErrorCode, string>> = {
  unauthenticated: 'Unauthorized',
  mfa_required: 'Unauthorized',
  denied: 'Forbidden',
  approval_required: 'Forbidden',
  quota_exceeded: 'Forbidden',
  bad_request: 'BadRequest',
  not_found: 'NotFound',
  payload_too_large: 'RequestEntityTooLarge',
  unsupported_media_type: 'UnsupportedMediaType',
  rate_limited: 'TooManyRequests',
  too_many_pending: 'TooManyRequests',
  upstream_timeout: 'Timeout',
  upstream_unavailable: 'ServiceUnavailable',
  audit_unavailable: 'ServiceUnavailable',
  store_unavailable: 'ServiceUnavailable',
};

export interface StatusObject {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure';
  readonly message: string;
  readonly reason: string;
  readonly details: Record<string, unknown>;
  readonly code: number;
}

/** The one line kubectl shows: what happened, and what to do about an approval. */
export function refusalMessage(r: Pick<Refusal, 'code' | 'detail' | 'approvalId'>, requestId: string): string {
  const approval = r.approvalId
    ? r.code === 'approval_required'
      ? ` (approval_id ${r.approvalId}: once it is approved, run the same command again)`
      : ` (approval_id ${r.approvalId})`
    : '';
  return `airlock ${r.code}: ${r.detail}${approval} [request_id ${requestId}]`;
}

export function statusObject(r: Pick<Refusal, 'code' | 'detail' | 'approvalId'>, requestId: string): StatusObject {
  const ids: Record<string, string> = { code: r.code, request_id: requestId, ...(r.approvalId ? { approval_id: r.approvalId } : {}) };
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: refusalMessage(r, requestId),
    reason: REASONS[r.code] ?? 'InternalError',
    details: { ...ids, causes: Object.entries(ids).map(([field, message]) => ({ reason: 'Airlock', field, message })) },
    code: statusOf(r.code),
  };
}

function headersOf(r: Refusal, requestId: string, length: number): Record<string, string | number> {
  return { 'content-type': 'application/json', 'content-length': length, 'airlock-request-id': requestId, ...(r.headers ?? bearerChallenge(r.code)) };
}

/** Answers the refusal as a Status; a response already under way can only be cut. */
export function sendStatus(res: ServerResponse, r: Refusal, requestId: string): number {
  const status = statusOf(r.code);
  if (res.headersSent) {
    res.destroy();
    return status;
  }
  const body = JSON.stringify(statusObject(r, requestId));
  res.writeHead(status, headersOf(r, requestId, Buffer.byteLength(body)));
  res.end(body);
  return status;
}

/** The same answer written on the raw socket of an upgrade (exec, attach, port-forward). */
export function refuseUpgradeWithStatus(socket: Duplex, r: Refusal, requestId: string): void {
  const body = JSON.stringify(statusObject(r, requestId));
  const status = statusOf(r.code);
  const head = Object.entries({ ...headersOf(r, requestId, Buffer.byteLength(body)), connection: 'close' }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status} ${REASONS[r.code] ?? 'Error'}\r\n${head}\r\n${body}`);
}
