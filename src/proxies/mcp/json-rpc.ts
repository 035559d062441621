// JSON-RPC 2.0 as MCP uses it: one message per POST (MCP 2025-06-18 has no batches), requests
// with a string or number id, notifications without one, and responses to the server's own
// requests (sampling, elicitation). A message that is none of these is refused before anything
// is decided about it, with the JSON-RPC error the specification names.
export type JsonRpcId = string | number;

export interface JsonRpcError {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

export type JsonRpcMessage =
  | { readonly kind: 'request'; readonly id: JsonRpcId; readonly method: string; readonly params: Record<string, unknown> | undefined }
  | { readonly kind: 'notification'; readonly method: string; readonly params: Record<string, unknown> | undefined }
  | { readonly kind: 'response'; readonly id: JsonRpcId | null; readonly result?: unknown; readonly error?: JsonRpcError };

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;
/** Airlock's own codes (the implementation-defined server error range). */
export const REFUSED = -32001;
export const AUTHENTICATION_REQUIRED = -32002;

export type Envelope = JsonRpcMessage | { readonly kind: 'invalid'; readonly id: JsonRpcId | null; readonly why: string; readonly code: number };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is JsonRpcId => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** Reads one parsed JSON value as a JSON-RPC message. */
export function readEnvelope(value: unknown): Envelope {
  if (Array.isArray(value)) return { kind: 'invalid', id: null, code: INVALID_REQUEST, why: 'batches are not supported (MCP 2025-06-18 sends one message per request)' };
  if (!isObject(value) || value['jsonrpc'] !== '2.0') return { kind: 'invalid', id: null, code: INVALID_REQUEST, why: 'not a JSON-RPC 2.0 message' };
  const id = value['id'];
  const hasId = id !== undefined;
  if (hasId && !isId(id) && !(id === null && 'error' in value)) return { kind: 'invalid', id: null, code: INVALID_REQUEST, why: 'id must be a string or a number' };
  const method = value['method'];
  if (method !== undefined) {
    if (typeof method !== 'string' || method === '') return { kind: 'invalid', id: hasId ? (id as JsonRpcId) : null, code: INVALID_REQUEST, why: 'method must be a non-empty string' };
    const params = value['params'];
    if (params !== undefined && !isObject(params)) return { kind: 'invalid', id: hasId ? (id as JsonRpcId) : null, code: INVALID_REQUEST, why: 'params must be an object' };
    if (id === null) return { kind: 'invalid', id: null, code: INVALID_REQUEST, why: 'a request id must not be null' };
    return hasId ? { kind: 'request', id: id as JsonRpcId, method, params } : { kind: 'notification', method, params };
  }
  if (!hasId) return { kind: 'invalid', id: null, code: INVALID_REQUEST, why: 'neither a request, a notification nor a response' };
  const hasResult = 'result' in value;
  const error = value['error'];
  if (hasResult === (error !== undefined)) return { kind: 'invalid', id: null, code: INVALID_REQUEST, why: 'a response has exactly one of result and error' };
  if (error !== undefined && !(isObject(error) && typeof error['code'] === 'number' && typeof error['message'] === 'string')) {
    return { kind: 'invalid', id: null, code: INVALID_REQUEST, why: 'error must have a numeric code and a message' };
  }
  return hasResult ? { kind: 'response', id: id as JsonRpcId | null, result: value['result'] } : { kind: 'response', id: id as JsonRpcId | null, error: error as unknown as JsonRpcError };
}

/** A response as the wire sends it. */
export function responseJson(id: JsonRpcId | null, outcome: { result: unknown } | { error: JsonRpcError }): string {
  return JSON.stringify({ jsonrpc: '2.0', id, ...outcome });
}

export function errorJson(id: JsonRpcId | null, code: number, message: string, data?: unknown): string {
  return responseJson(id, { error: { code, message, ...(data !== undefined ? { data } : {}) } });
}

/** A key under which requests in flight are found again by the id of their answer (1 and "1" differ). */
export function idKey(id: JsonRpcId): string {
  return typeof id === 'number' ? `n:${id}` : `s:${id}`;
}
