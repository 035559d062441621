// One POST to an MCP resource: the whole request story for one JSON-RPC message. Identify (a 401
// points to the resource's OAuth metadata), read the message under the size limit, check the
// session is the caller's, classify, refuse a call of a tool whose definition changed, authorize
// (decision, obligations, the durable record), and only then deliver it, with its answer watched
// (lists filtered, tool results digested) and its outcome recorded. Every other path ends in a
// JSON-RPC error and a record; nothing reaches the server undecided.
import { AirlockError, type ErrorCode } from '../../lib/errors.js';
import { readBody } from '../../lib/read-body.js';
import { sha256Hex } from '../../lib/sha256.js';
import type { Principal } from '../../model/principal.js';
import type { EarlyRefusal, Stages } from '../../pipeline/stage-contract.js';
import type { Exchange } from '../../pipeline/surface.js';
import { answerHook } from './answers.js';
import { classifyMessage, withoutApproval, type Classified } from './classify.js';
import { PARSE_ERROR, readEnvelope, type JsonRpcId } from './json-rpc.js';
import type { ToolPins } from './pins/tool-pins.js';
import { sendRpcRefusal, type RpcRefusal } from './render.js';
import { sessionDigest, type SessionOwners } from './session-owners.js';
import type { McpTransport } from './upstream/transport.js';

export interface McpDeps {
  readonly name: string;
  readonly stages: Stages;
  readonly pins: ToolPins;
  readonly transport: McpTransport;
  readonly owners: SessionOwners;
  readonly maxBodyBytes: number;
  /** `WWW-Authenticate` for a 401 on this resource (with `resource_metadata`). */
  readonly challenge: (ex: Exchange, error?: string) => string;
}

/** Records a refusal made before (or instead of) a decision and answers it. */
export async function refuseEarly(deps: McpDeps, ex: Exchange, id: JsonRpcId | undefined, r: RpcRefusal & EarlyRefusal): Promise<void> {
  const recorded = await deps.stages.refuse(ex, r);
  sendRpcRefusal(ex.res, ex.requestId, id, recorded);
}

/** The caller, or undefined once a 401 has been answered. */
export async function identifyOrChallenge(deps: McpDeps, ex: Exchange): Promise<Principal | undefined> {
  try {
    return await deps.stages.identify(ex.req.headers.authorization);
  } catch (err) {
    ex.req.resume();
    const detail = err instanceof AirlockError ? err.message : 'the credential was not accepted';
    const presented = ex.req.headers.authorization !== undefined;
    await refuseEarly(deps, ex, undefined, { code: 'unauthenticated', detail, headers: { 'www-authenticate': deps.challenge(ex, presented ? 'invalid_token' : undefined) } });
    return undefined;
  }
}

export function sessionOf(ex: Exchange): string | undefined {
  const v = ex.req.headers['mcp-session-id'];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export async function handlePost(deps: McpDeps, ex: Exchange): Promise<void> {
  const { stages, name } = deps;
  const principal = await identifyOrChallenge(deps, ex);
  if (!principal) return;
  let raw: Buffer;
  try {
    raw = await readBody(ex.req, deps.maxBodyBytes);
  } catch (err) {
    const code: ErrorCode = err instanceof AirlockError ? err.code : 'bad_request';
    return refuseEarly(deps, ex, undefined, { code, detail: err instanceof AirlockError ? err.message : 'the message could not be read', principal });
  }
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    return refuseEarly(deps, ex, undefined, { code: 'bad_request', rpc: PARSE_ERROR, detail: 'the message is not JSON', principal });
  }
  const message = readEnvelope(value);
  if (message.kind === 'invalid') return refuseEarly(deps, ex, undefined, { code: 'bad_request', rpc: message.code, detail: message.why, principal });
  const id = message.kind === 'request' ? message.id : undefined;
  const session = sessionOf(ex);
  if (session && !deps.owners.mayUse(session, principal)) return refuseEarly(deps, ex, undefined, { code: 'not_found', detail: 'no such session', principal });

  let call: Classified;
  try {
    call = classifyMessage(name, message);
  } catch (err) {
    const known = err instanceof AirlockError;
    return refuseEarly(deps, ex, id, { code: 'bad_request', detail: known ? err.message : 'the message could not be read', rpc: known ? (err.details['rpc'] as number | undefined) : undefined, principal });
  }
  const fields: Record<string, unknown> = { mcp_method: call.method, session: sessionDigest(session), jsonrpc_id: id, tool: call.tool, arguments_sha256: call.argumentsSha256 };
  if (call.tool) {
    const pin = await deps.pins.check(name, call.tool).catch(() => undefined);
    if (!pin) return refuseEarly(deps, ex, id, { code: 'store_unavailable', detail: 'tool pins could not be read', principal, request: call.request });
    if (!pin.trusted) return refuseEarly(deps, ex, id, { code: 'tool_changed', detail: pin.reason, principal, request: call.request, data: { tool: call.tool } });
    fields['tool_digest'] = pin.digest;
  }

  const header = ex.req.headers['airlock-approval'];
  const sha256 = sha256Hex(raw);
  const verdict = await stages.authorize(ex, {
    principal,
    request: call.request,
    method: 'POST',
    path: ex.path,
    bound: call.bound,
    presentedApproval: call.presentedApproval ?? (typeof header === 'string' ? header : undefined),
    body: { bytes: raw, contentType: ex.req.headers['content-type'], sha256 },
    fields,
  });
  if (!verdict.allowed) {
    sendRpcRefusal(ex.res, ex.requestId, id, { ...verdict.refusal, ...(call.tool ? { data: { tool: call.tool } } : {}) });
    return;
  }

  const body = call.presentedApproval ? Buffer.from(JSON.stringify(withoutApproval(value as Record<string, unknown>))) : raw;
  const watch = id === undefined ? undefined : { id, hook: answerHook(call, { resource: name, pins: deps.pins, decide: (r) => stages.decideOnly(ex, principal, r) }) };
  const upstreamStarted = performance.now();
  try {
    const out = await deps.transport.deliver({ ex, message, body, session, ...(watch ? { watch } : {}) });
    if (out.session && call.method === 'initialize') deps.owners.claim(out.session, principal);
    if (out.error === 'client_closed' && id !== undefined) deps.transport.cancel(session, id, 'the agent went away');
    stages.outcome(ex, { status: out.status, bytes: out.bytes, error: out.error, upstreamStarted, ...(out.facts ? { fields: out.facts } : {}) });
  } catch (err) {
    const known = err instanceof AirlockError;
    const code: ErrorCode = known ? err.code : 'upstream_unavailable';
    const status = sendRpcRefusal(ex.res, ex.requestId, code === 'not_found' ? undefined : id, { code, detail: known ? err.message : 'the MCP server could not be reached' });
    stages.outcome(ex, { status, bytes: 0, error: code, upstreamStarted });
  }
}
