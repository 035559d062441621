// Refusals in the MCP client's own dialect: a JSON-RPC error whose `data` holds the problem
// `code`, the `request_id` and, when one was opened, the `approval_id`. A refusal of a request
// (a message with an id) is answered with HTTP 200, as MCP answers any failed call, so agents'
// SDKs raise it as an error of that very call with its data; a refusal with no call to answer (a
// notification, a message that could not be read, no credential) takes the problem's HTTP status.
// Codes: -32001 refused by policy (denied, approval_required, tool_changed, ...), -32002 a
// credential is needed (unauthenticated, mfa_required), the JSON-RPC codes for unreadable input.
import type { ServerResponse } from 'node:http';
import type { ErrorCode } from '../../lib/errors.js';
import { statusOf } from '../../lib/problem.js';
import type { Refusal } from '../../pipeline/stage-contract.js';
import { AUTHENTICATION_REQUIRED, errorJson, INTERNAL_ERROR, INVALID_REQUEST, REFUSED, type JsonRpcId } from './json-rpc.js';

const RPC_CODES: Partial<Record<ErrorCode, number>> = {
  unauthenticated: AUTHENTICATION_REQUIRED,
  mfa_required: AUTHENTICATION_REQUIRED,
  bad_request: INVALID_REQUEST,
  payload_too_large: INVALID_REQUEST,
  upstream_unavailable: INTERNAL_ERROR,
  upstream_timeout: INTERNAL_ERROR,
  internal: INTERNAL_ERROR,
};

export interface RpcRefusal extends Refusal {
  /** A JSON-RPC code that says more than the problem code (-32700, -32602). */
  readonly rpc?: number;
  /** More members of `data` (the tool a refusal is about). */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** `id` undefined: no call to answer, so the HTTP status carries the refusal. */
export function sendRpcRefusal(res: ServerResponse, requestId: string, id: JsonRpcId | null | undefined, r: RpcRefusal): number {
  const code = r.rpc ?? RPC_CODES[r.code] ?? REFUSED;
  const data = { code: r.code, request_id: requestId, ...(r.approvalId ? { approval_id: r.approvalId } : {}), ...r.data };
  const status = id === undefined || id === null ? statusOf(r.code) : 200;
  sendJson(res, status, errorJson(id ?? null, code, r.detail, data), { 'airlock-request-id': requestId, ...r.headers });
  return status;
}

export function sendJson(res: ServerResponse, status: number, body: string, headers: Record<string, string | string[]> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
