// The control plane: health, metrics, and the /api/v1 routes. Every API call is identified,
// decided by the bundle as an `admin.*` action on `Airlock::"control-plane"`, and audited,
// exactly like a data-plane request; only /healthz, /readyz, /metrics, the API description and
// the approval page's HTML are open, because probes, scrapers and tools carry no identity and
// these answers reveal no state worth guarding.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { decisionRecord, outcomeRecord } from '../audit/records.js';
import type { AuditWriter } from '../audit/writer.js';
import { commonContext, type PolicyEngine } from '../decide/index.js';
import type { Identifier } from '../identify/index.js';
import { AirlockError, errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { bearerChallenge, refusalChallenge, sendProblem } from '../lib/problem.js';
import { readBody } from '../lib/read-body.js';
import { parseJsonBody } from '../lib/strict-json.js';
import { refuseDuplicateAuthorization } from '../lib/request-headers.js';
import type { ActionRequest } from '../model/action-request.js';
import type { Decision } from '../model/decision.js';
import { clientIpOf, type ClientAddress } from '../lib/client-ip.js';
import type { Principal } from '../model/principal.js';
import { decideDelegated } from '../pipeline/delegation.js';
import type { AnonymousTraffic } from '../pipeline/anonymous-traffic.js';
import { OPENAPI_PATH, openApiDocument, openEndpoints } from './api/openapi.js';
import { negotiateFormat } from './exposition.js';
import { actionLabel } from './metric-labels.js';
import { objectRequest, scopedDecision, type RouteObject } from './object-scope.js';
import type { GatewayMetrics } from './metrics.js';
import { approvalPage, PAGE_HEADERS } from './pages/approval-page.js';
import { matchRoute, type Route, type RouteResult, type RouteTarget } from './routes.js';

export const CONTROL_PLANE = { type: 'Airlock', id: 'control-plane' } as const;

/** API bodies are small JSON objects (a vote, a gate, a grant); anything larger is refused with 413. */
const MAX_API_BODY_BYTES = 64 * 1024;

export interface ControlPlaneDeps {
  readonly identifier: Identifier;
  readonly engine: () => PolicyEngine;
  readonly audit: AuditWriter;
  readonly metrics: GatewayMetrics;
  readonly log: Logger;
  readonly now: () => Date;
  readonly ready: () => Promise<boolean>;
  /** Who the client is, behind trusted proxies; the socket's peer by default. */
  readonly clientIp?: ClientAddress;
  /** The JWKS of identity assertions, served open at /.well-known/jwks.json when set. */
  readonly jwks?: () => unknown;
  readonly routes: readonly Route[];
  /** Endpoints that authenticate by their own means (a Slack signature), keyed by path; POST only. */
  readonly integrations?: Readonly<Record<string, (rawBody: string, headers: IncomingHttpHeaders, clientIp: string) => Promise<RouteResult>>>;
  /**
   * Requests without an accepted credential (the data plane's limiter): past an address's rate
   * they get 429, past its share of records they are counted, not recorded one by one.
   */
  readonly anonymous?: AnonymousTraffic;
}

export function createControlPlane(deps: ControlPlaneDeps) {
  const clientIpOfReq = deps.clientIp ?? clientIpOf;
  const description = openApiDocument(deps.routes, openEndpoints({ jwks: deps.jwks !== undefined, integrations: Object.keys(deps.integrations ?? {}) }));
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    res.setHeader('airlock-request-id', requestId);
    const url = new URL(req.url ?? '/', 'http://control-plane');
    try {
      if (await openEndpoint(url.pathname, req, res)) return;
      const integration = req.method === 'POST' ? deps.integrations?.[url.pathname] : undefined;
      if (integration) {
        const raw = await readBody(req, 1024 * 1024);
        send(res, await integration(raw.toString('utf8'), req.headers, clientIpOfReq(req)));
        return;
      }
      await decided(req, res, url, requestId);
    } catch (err) {
      deps.log.error({ err: errorMessage(err), request_id: requestId }, 'control-plane request failed');
      const code = err instanceof AirlockError ? err.code : 'internal';
      sendProblem(res, { code, detail: err instanceof AirlockError ? err.message : 'internal error', requestId });
    }
  };

  async function openEndpoint(pathname: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (pathname === '/healthz') return send(res, { status: 200, json: { status: 'ok' } });
    if (pathname === '/readyz') {
      const ready = await deps.ready();
      return send(res, { status: ready ? 200 : 503, json: { status: ready ? 'ready' : 'not ready' } });
    }
    if (/^\/approvals\/[^/]+$/.test(pathname)) {
      return send(res, { status: 200, text: approvalPage(), contentType: 'text/html; charset=utf-8', headers: PAGE_HEADERS });
    }
    if (pathname === '/.well-known/jwks.json' && deps.jwks) return send(res, { status: 200, json: deps.jwks() });
    if (pathname === OPENAPI_PATH) return send(res, { status: 200, json: description });
    if (pathname === '/metrics') {
      const format = negotiateFormat(req.headers.accept);
      return send(res, { status: 200, text: await deps.metrics.exposition(format), contentType: deps.metrics.contentType(format), headers: { vary: 'Accept' } });
    }
    return false;
  }

  async function decided(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
    const started = performance.now();
    const time = deps.now();
    const clientIp = clientIpOfReq(req);
    const method = req.method ?? 'GET';
    const audit = (entry: Parameters<typeof decisionRecord>[0]) => deps.audit.append(decisionRecord(entry));
    const refuse = (wanted: Parameters<typeof sendProblem>[1]['code'], why: string, facts: Partial<Parameters<typeof decisionRecord>[0]> = {}, challenge?: Record<string, string>) => {
      const anonymous = facts.principal ? undefined : deps.anonymous?.refuse(clientIp, { code: wanted, detail: why, headers: challenge });
      const { code, detail, headers } = anonymous?.refusal ?? { code: wanted, detail: why, headers: challenge };
      const status = sendProblem(res, { code, detail, requestId, headers: headers ?? refusalChallenge({ code, detail }) });
      deps.metrics.controlPlane.inc({ action: actionLabel(facts.action), decision: facts.decision?.effect ?? code });
      if (anonymous && !anonymous.record) return;
      // Queued, not awaited: the refusal is already sent, and a queued record is retried until the
      // store takes it, where an awaited append that failed would be lost.
      deps.audit.enqueue(decisionRecord({ requestId, time, surface: 'control', refusal: code, reasons: [detail], status, latencyMs: performance.now() - started, ...facts }));
    };

    /** A decision that does not let the route run, as its refusal. */
    const refuseDecision = (decision: Decision, facts: Partial<Parameters<typeof decisionRecord>[0]>) => {
      const mfa = decision.effect === 'mfa_required';
      return refuse(
        mfa ? 'mfa_required' : decision.effect === 'approval_required' ? 'approval_required' : 'denied',
        mfa ? 'this action needs a recent multi-factor sign-in' : decision.reasons[0] ?? 'denied by policy',
        facts,
        mfa ? bearerChallenge('mfa_required', decision.obligations.mfa?.maxAge) : undefined,
      );
    };

    let principal;
    try {
      refuseDuplicateAuthorization(req);
      principal = await deps.identifier.identify(req.headers.authorization);
    } catch (err) {
      req.resume();
      // A malformed request, or API keys that cannot be checked now (503, retried): said as such.
      if (err instanceof AirlockError && (err.code === 'bad_request' || err.code === 'store_unavailable')) return refuse(err.code, err.message);
      return refuse('unauthenticated', err instanceof AirlockError ? err.message : 'the credential was not accepted');
    }
    const match = matchRoute(deps.routes, method, url.pathname);
    if (!match || match === 'method') {
      req.resume();
      return refuse('not_found', match === 'method' ? 'method not allowed here' : 'no such endpoint', { principal });
    }
    const { route, params } = match;
    let body: unknown;
    try {
      const raw = await readBody(req, MAX_API_BODY_BYTES);
      // Strict, as every body the gateway decides on: one reading, whoever else reads it.
      body = raw.length ? parseJsonBody(raw) : undefined;
    } catch (err) {
      if (err instanceof AirlockError && err.code === 'payload_too_large') return refuse('payload_too_large', err.message, { principal, action: route.action });
      return refuse('bad_request', err instanceof AirlockError ? err.message : 'the request body must be JSON', { principal, action: route.action });
    }

    let target: RouteTarget;
    try {
      target = route.target ? await route.target(params, body) : { resource: CONTROL_PLANE };
    } catch (err) {
      return refuse('bad_request', err instanceof AirlockError ? err.message : 'the request body is not valid', { principal, action: route.action });
    }
    const action = target.action ?? route.action;
    const { resource } = target;
    // A route that decides another action on the caller's behalf (the gate) is itself an action:
    // without this first decision any signed-in caller could ask the bundle about any action and
    // resource, and open approvals in approvers' inboxes.
    if (action !== route.action) {
      const own: ActionRequest = { action: route.action, resource: CONTROL_PLANE, resourceName: '', context: {} };
      const ownContext = commonContext({ principal, sourceIp: clientIp, method, path: url.pathname, now: time });
      const first = deps.engine().decide({ principal, request: own, context: ownContext });
      if (first.effect !== 'allow') return refuseDecision(first, { principal, action: route.action, resource: CONTROL_PLANE, context: ownContext, decision: first });
    }
    const object = route.object && (await route.object.load(params));
    const missing = route.object && `no ${route.object.name} ${params.id ?? ''}`.trim();
    if (route.object && !object) return refuse('not_found', missing!, { principal, action });
    const request: ActionRequest = { action, resource, resourceName: target.resourceName ?? '', context: target.context ?? {} };
    const contextOf = (p: Principal) => commonContext({ principal: p, sourceIp: clientIp, method, path: url.pathname, now: time }, target.context);
    const context = contextOf(principal);
    const engine = deps.engine();
    // A delegated caller (an agent for a person) is decided for both, on the control plane and on the object.
    const decideFor = (r: ActionRequest) => decideDelegated(principal, (p) => engine.decide({ principal: p, request: r, context: p === principal ? context : contextOf(p) }));
    const onControlPlane = decideFor(request);
    const decideOn = (o: RouteObject) => scopedDecision(onControlPlane, decideFor(objectRequest(action, o)));
    const decision = object ? decideOn(object) : onControlPlane;
    const facts = { principal, action, resource: object?.ref ?? resource, resourceName: target.resourceName, context, decision, fields: target.fields };
    const proceeds = decision.effect === 'allow' || (decision.effect === 'approval_required' && route.handlesApproval);
    if (!proceeds && object && decision.effect === 'deny') return refuse('not_found', missing!, facts);
    if (!proceeds) return refuseDecision(decision, facts);
    const visible = (o: RouteObject) => decideOn(o).effect === 'allow';
    try {
      await audit({ requestId, time, surface: 'control', ...facts });
    } catch {
      const status = sendProblem(res, { code: 'audit_unavailable', detail: 'the audit log cannot be written', requestId });
      // The decision record may still be committed (the writer sends its batch again until it is):
      // the outcome says the route never ran, so the record never reads as done.
      deps.audit.enqueue(outcomeRecord({ requestId, time: deps.now(), status, bytes: 0, latencyMs: performance.now() - started, error: 'audit_unavailable' }));
      return;
    }
    deps.metrics.controlPlane.inc({ action: actionLabel(route.action), decision: decision.effect });
    let result: RouteResult;
    try {
      result = await route.handler({ principal, decision, context, params, query: url.searchParams, body, headers: req.headers, requestId, visible });
    } catch (err) {
      // The decision is already on the record; the failure gets its outcome record too.
      const known = err instanceof AirlockError;
      if (!known) deps.log.error({ err: errorMessage(err), request_id: requestId }, 'control-plane handler failed');
      const code = known ? err.code : 'internal';
      const status = sendProblem(res, { code, detail: known ? err.message : 'internal error', requestId, ...(known ? { extra: err.details } : {}) });
      deps.audit.enqueue(outcomeRecord({ requestId, time: deps.now(), status, bytes: 0, latencyMs: performance.now() - started, error: code }));
      return;
    }
    send(res, result);
    deps.audit.enqueue(outcomeRecord({ requestId, time: deps.now(), status: result.status, bytes: 0, latencyMs: performance.now() - started }));
  }
}

function send(res: ServerResponse, r: RouteResult): true {
  const body = r.text ?? JSON.stringify(r.json);
  res.writeHead(r.status, {
    'content-type': r.contentType ?? (r.text !== undefined ? 'text/plain; charset=utf-8' : 'application/json'),
    'content-length': Buffer.byteLength(body),
    'x-content-type-options': 'nosniff',
    ...r.headers,
  });
  res.end(body);
  return true;
}
