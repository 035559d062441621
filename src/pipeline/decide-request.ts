// The request path up to the decision: identify, route, read, classify, decide. Each stage either
// hands its typed result to the next or ends the request with a refusal; nothing here forwards.
import type { IncomingMessage } from 'node:http';
import { commonContext, type PolicyEngine } from '../decide/index.js';
import type { Identifier } from '../identify/index.js';
import { AirlockError, type ErrorCode } from '../lib/errors.js';
import { readBody } from '../lib/read-body.js';
import { sha256Hex } from '../lib/sha256.js';
import { splitRequestPath } from '../lib/request-path.js';
import type { ActionRequest } from '../model/action-request.js';
import type { Decision } from '../model/decision.js';
import type { CedarRecord } from '../model/entity.js';
import type { Principal } from '../model/principal.js';
import type { MountedResource } from './resources.js';

export interface DecideDeps {
  readonly resources: ReadonlyMap<string, MountedResource>;
  readonly identifier: Identifier;
  readonly engine: () => PolicyEngine;
  readonly maxBodyBytes: number;
  readonly now: () => Date;
}

/** Everything known about a request once it has been decided, allowed or not. */
export interface DecidedRequest {
  readonly clientIp: string;
  readonly principal?: Principal;
  readonly mounted?: MountedResource;
  readonly path?: string;
  readonly query?: string;
  readonly body?: Buffer;
  readonly bodySha256?: string;
  readonly contentType?: string;
  readonly request?: ActionRequest;
  readonly context?: CedarRecord;
  readonly decision?: Decision;
  /** The approval opened for, or spent on, this request. */
  readonly approvalId?: string;
  /** Set when a stage before the decision refused the request. */
  readonly refusal?: { readonly code: ErrorCode; readonly detail: string };
}

export function clientIpOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? '0.0.0.0';
}

type DecidedSoFar = { -readonly [K in keyof DecidedRequest]: DecidedRequest[K] };

/**
 * Every DecidedRequest has this one shape, fields in this order, whichever stage ended it. Built
 * with spreads, each exit produced objects of a different hidden class, and every read of them on
 * the request path went through V8's megamorphic slow path (about 15 misses per request).
 */
export function decidedRequest(fields: DecidedRequest): DecidedRequest {
  return {
    clientIp: fields.clientIp,
    principal: fields.principal,
    mounted: fields.mounted,
    path: fields.path,
    query: fields.query,
    body: fields.body,
    bodySha256: fields.bodySha256,
    contentType: fields.contentType,
    request: fields.request,
    context: fields.context,
    decision: fields.decision,
    approvalId: fields.approvalId,
    refusal: fields.refusal,
  };
}

export async function decideRequest(req: IncomingMessage, deps: DecideDeps): Promise<DecidedRequest> {
  // Filled stage by stage; returned as it stands when a stage refuses.
  const d: DecidedSoFar = decidedRequest({ clientIp: clientIpOf(req) });
  const method = req.method ?? 'GET';
  try {
    d.principal = await deps.identifier.identify(req.headers.authorization);
  } catch (err) {
    req.resume();
    d.refusal = refusalOf(err, 'unauthenticated');
    return d;
  }
  const principal = d.principal;

  const route = splitRequestPath(req.url ?? '/');
  if (route === 'bad_path') {
    req.resume();
    d.refusal = { code: 'bad_request', detail: 'the path has dot segments' };
    return d;
  }
  const mounted = route && deps.resources.get(route.resourceName);
  if (!route || !mounted) {
    req.resume();
    d.refusal = { code: 'not_found', detail: 'no such resource' };
    return d;
  }
  d.mounted = mounted;

  let body: Buffer;
  try {
    body = await readBody(req, deps.maxBodyBytes);
  } catch (err) {
    d.refusal = refusalOf(err, 'bad_request');
    return d;
  }
  d.path = route.path;
  d.query = route.query;
  d.body = body;
  d.bodySha256 = body.length ? sha256Hex(body) : undefined;
  d.contentType = req.headers['content-type'];

  let request: ActionRequest;
  try {
    request = mounted.classify({ resourceName: mounted.config.name, method, path: route.path, headers: req.headers, body });
  } catch (err) {
    d.refusal = refusalOf(err, 'bad_request');
    return d;
  }
  d.request = request;

  const context = commonContext({ principal, sourceIp: d.clientIp, method, path: route.path, now: deps.now() }, request.context);
  d.context = context;
  d.decision = deps.engine().decide({ principal, request, context, resourceAttributes: mounted.attributes });
  return d;
}

/** An expected AirlockError keeps its code; anything else is `fallback`, without internal detail. */
function refusalOf(err: unknown, fallback: ErrorCode): { code: ErrorCode; detail: string } {
  if (err instanceof AirlockError) return { code: err.code, detail: err.message };
  return { code: fallback, detail: fallback === 'unauthenticated' ? 'the credential was not accepted' : 'the request could not be read' };
}
