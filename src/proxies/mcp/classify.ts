// Classify stage for MCP: one JSON-RPC message -> the action it would perform, on what, with
// which context, and what an approval for it is bound to.
//
//   tools/call      tool.call        Tool::"<name>/<tool>"         context tool, arguments
//   resources/read  resource.read    McpResource::"<name>/<uri>"   context uri
//   resources/subscribe resource.subscribe McpResource::...         context uri
//   prompts/get     prompt.get       Prompt::"<name>/<prompt>"     context prompt, arguments
//   tools/list      tool.list        Resource::"<name>"  (each entry then decided as tool.call)
//   resources/list, resources/templates/list: resource.list; prompts/list: prompt.list
//   session plumbing: mcp.connect on Resource::"<name>", context mcp_method
//   anything else   mcp.<method>     Resource::"<name>"            context mcp_method, params
//
// Session plumbing is what keeps a session going without acting on the server's tools, data or
// prompts: `initialize`, `ping`, `resources/unsubscribe`, the client's notifications the protocol
// defines (initialized, cancelled, progress, roots/list_changed), answers to the server's own
// requests, the GET stream and DELETE. It is still decided, as `mcp.connect`, so one permit says
// who may hold a session with a server at all; nothing reaches a server undecided. Unknown methods
// get their own action, `mcp.<method>`, which no policy permits by accident.
//
// An approval is bound to the method, the tool (or uri, prompt) and the SHA-256 of the canonical
// JSON of the arguments, never to the JSON-RPC id: the retry has a new id and must run exactly
// what was approved.
import { z } from 'zod';
import type { BoundRequest } from '../../approvals/types.js';
import { canonicalDigest } from '../../lib/canonical-json.js';
import { AirlockError } from '../../lib/errors.js';
import type { ActionRequest } from '../../model/action-request.js';
import type { CedarRecord } from '../../model/entity.js';
import { cedarRecordOf } from './cedar-arguments.js';
import { INVALID_PARAMS, type JsonRpcMessage } from './json-rpc.js';

export const APPROVAL_META_KEY = 'airlock/approval';

export type ListKind = 'tools' | 'resources' | 'resourceTemplates' | 'prompts';

export interface Classified {
  readonly request: ActionRequest;
  readonly bound: BoundRequest;
  /** `params._meta["airlock/approval"]`, if the message carries one. */
  readonly presentedApproval?: string;
  /** The method as the record and `context.mcp_method` show it. */
  readonly method: string;
  /** A list whose answer is filtered entry by entry. */
  readonly list?: ListKind;
  /** The tool of a tools/call. */
  readonly tool?: string;
  readonly argumentsSha256?: string;
}

const PLUMBING = new Set([
  'initialize',
  'ping',
  'resources/unsubscribe',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
]);

const LISTS: Readonly<Record<string, { action: string; list: ListKind }>> = {
  'tools/list': { action: 'tool.list', list: 'tools' },
  'resources/list': { action: 'resource.list', list: 'resources' },
  'resources/templates/list': { action: 'resource.list', list: 'resourceTemplates' },
  'prompts/list': { action: 'prompt.list', list: 'prompts' },
};

const record = z.record(z.string(), z.unknown());
const toolCall = z.object({ name: z.string().min(1), arguments: record.optional() });
const resourceRead = z.object({ uri: z.string().min(1) });
const promptGet = z.object({ name: z.string().min(1), arguments: z.record(z.string(), z.string()).optional() });

function paramsOf<T>(schema: z.ZodType<T>, params: Record<string, unknown> | undefined, method: string): T {
  const r = schema.safeParse(params ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new AirlockError('bad_request', `${method}: params.${issue.path.join('.')}: ${issue.message}`, { rpc: INVALID_PARAMS });
}

/** What `/<name>` as an entity is: the container of every entity of this server. */
const container = (name: string) => ({ type: 'Resource', id: name });

/**
 * The action request a tools/call of `tool` with `args` is. List entries are decided with it too,
 * without `args`: a listing does not know them, and `context.arguments` is then absent.
 */
export function toolCallRequest(name: string, tool: string, args: Record<string, unknown> | undefined): ActionRequest {
  const context: CedarRecord = { tool };
  if (args) context['arguments'] = cedarRecordOf(args);
  return { action: 'tool.call', resource: { type: 'Tool', id: `${name}/${tool}` }, resourceName: name, context };
}

export function resourceReadRequest(name: string, uri: string, action = 'resource.read'): ActionRequest {
  return { action, resource: { type: 'McpResource', id: `${name}/${uri}` }, resourceName: name, context: { uri } };
}

export function promptGetRequest(name: string, prompt: string, args: Record<string, string> | undefined): ActionRequest {
  const context: CedarRecord = { prompt };
  if (args) context['arguments'] = cedarRecordOf(args);
  return { action: 'prompt.get', resource: { type: 'Prompt', id: `${name}/${prompt}` }, resourceName: name, context };
}

/** Most messages carry no arguments: their digest is computed once. */
const NO_ARGUMENTS = canonicalDigest({});

function bound(method: string, target: string, args: unknown): BoundRequest {
  const empty = args === undefined || args === null || (typeof args === 'object' && !Array.isArray(args) && Object.keys(args).length === 0);
  return { method: 'MCP', path: `${method} ${target}`, body_sha256: empty ? NO_ARGUMENTS : canonicalDigest(args) };
}

function withoutMeta(params: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!params || !('_meta' in params)) return params ?? {};
  const { _meta: _, ...rest } = params;
  return rest;
}

function presented(params: Record<string, unknown> | undefined): string | undefined {
  const meta = params?.['_meta'];
  if (typeof meta !== 'object' || meta === null) return undefined;
  const id = (meta as Record<string, unknown>)[APPROVAL_META_KEY];
  return typeof id === 'string' && id.trim() ? id.trim() : undefined;
}

/** Session plumbing (`mcp.connect`); `stream` is the GET stream, `terminate` the DELETE. */
export function connect(name: string, method: string, context: CedarRecord = {}): Classified {
  return {
    request: { action: 'mcp.connect', resource: container(name), resourceName: name, context: { mcp_method: method, ...context } },
    bound: bound(method, name, {}),
    method,
  };
}

/** Classifies one message; throws AirlockError('bad_request', ..., { rpc }) on params it cannot read. */
export function classifyMessage(name: string, msg: JsonRpcMessage): Classified {
  if (msg.kind === 'response') return connect(name, 'response');
  const { method, params } = msg;
  const approval = msg.kind === 'request' ? presented(params) : undefined;
  const extra = approval ? { presentedApproval: approval } : {};
  if (PLUMBING.has(method)) {
    if (method !== 'initialize') return connect(name, method);
    const info = (params?.['clientInfo'] ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    return connect(name, method, { client_name: text(info['name']), client_version: text(info['version']), protocol_version: text(params?.['protocolVersion']) });
  }
  const list = LISTS[method];
  if (list) {
    return { request: { action: list.action, resource: container(name), resourceName: name, context: { mcp_method: method } }, bound: bound(method, name, {}), method, list: list.list, ...extra };
  }
  switch (method) {
    case 'tools/call': {
      const p = paramsOf(toolCall, params, method);
      const args = p.arguments ?? {};
      const b = bound(method, p.name, args);
      return { request: toolCallRequest(name, p.name, args), bound: b, method, tool: p.name, argumentsSha256: b.body_sha256!, ...extra };
    }
    case 'resources/read':
    case 'resources/subscribe': {
      const p = paramsOf(resourceRead, params, method);
      const action = method === 'resources/read' ? 'resource.read' : 'resource.subscribe';
      return { request: resourceReadRequest(name, p.uri, action), bound: bound(method, p.uri, withoutMeta(params)), method, ...extra };
    }
    case 'prompts/get': {
      const p = paramsOf(promptGet, params, method);
      return { request: promptGetRequest(name, p.name, p.arguments ?? {}), bound: bound(method, p.name, p.arguments ?? {}), method, ...extra };
    }
    default: {
      const rest = withoutMeta(params);
      return {
        request: { action: `mcp.${method}`, resource: container(name), resourceName: name, context: { mcp_method: method, params: cedarRecordOf(rest) } },
        bound: bound(method, name, rest),
        method,
        ...extra,
      };
    }
  }
}

/** The message without `_meta["airlock/approval"]`: the server has no use for Airlock's approval ids. */
export function withoutApproval(message: Record<string, unknown>): Record<string, unknown> {
  const params = message['params'] as Record<string, unknown> | undefined;
  const meta = params?.['_meta'] as Record<string, unknown> | undefined;
  if (!meta || !(APPROVAL_META_KEY in meta)) return message;
  const { [APPROVAL_META_KEY]: _, ...restMeta } = meta;
  const { _meta: __, ...restParams } = params!;
  return { ...message, params: Object.keys(restMeta).length ? { ...restParams, _meta: restMeta } : restParams };
}
