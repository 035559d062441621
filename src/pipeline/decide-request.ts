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

export async function decideRequest(req: IncomingMessage, deps: DecideDeps): Promise<DecidedRequest> {
  const clientIp = clientIpOf(req);
  const method = req.method ?? 'GET';
  let principal: Principal;
  try {
    principal = await deps.identifier.identify(req.headers.authorization);
  } catch (err) {
    req.resume();
    return { clientIp, refusal: refusalOf(err, 'unauthenticated') };
  }

  const route = splitRequestPath(req.url ?? '/');
  if (route === 'bad_path') {
    req.resume();
    return { clientIp, principal, refusal: { code: 'bad_request', detail: 'the path has dot segments' } };
  }
  const mounted = route && deps.resources.get(route.resourceName);
  if (!route || !mounted) {
    req.resume();
    return { clientIp, principal, refusal: { code: 'not_found', detail: 'no such resource' } };
  }

  let body: Buffer;
  try {
    body = await readBody(req, deps.maxBodyBytes);
  } catch (err) {
    return { clientIp, principal, mounted, refusal: refusalOf(err, 'bad_request') };
  }
  const bodySha256 = body.length ? sha256Hex(body) : undefined;
  const base = { clientIp, principal, mounted, path: route.path, query: route.query, body, bodySha256, contentType: req.headers['content-type'] };

  let request: ActionRequest;
  try {
    request = mounted.classify({ resourceName: mounted.config.name, method, path: route.path, headers: req.headers, body });
  } catch (err) {
    return { ...base, refusal: refusalOf(err, 'bad_request') };
  }

  const context = {
    ...commonContext({ principal, sourceIp: clientIp, method, path: route.path, now: deps.now() }),
    ...request.context,
  };
  const decision = deps.engine().decide({ principal, request, context, resourceAttributes: mounted.attributes });
  return { ...base, request, context, decision };
}

/** An expected AirlockError keeps its code; anything else is `fallback`, without internal detail. */
function refusalOf(err: unknown, fallback: ErrorCode): { code: ErrorCode; detail: string } {
  if (err instanceof AirlockError) return { code: err.code, detail: err.message };
  return { code: fallback, detail: fallback === 'unauthenticated' ? 'the credential was not accepted' : 'the request could not be read' };
}
