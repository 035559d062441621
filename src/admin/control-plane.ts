// The control plane: health, metrics, and the /api/v1 routes. Every API call is identified,
// decided by the bundle as an `admin.*` action on `Airlock::"control-plane"`, and audited,
// exactly like a data-plane request; only /healthz, /readyz and /metrics are open, because
// probes and scrapers carry no identity and these answers reveal no state worth guarding.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { decisionRecord, outcomeRecord } from '../audit/records.js';
import type { AuditWriter } from '../audit/writer.js';
import { commonContext, type PolicyEngine } from '../decide/index.js';
import type { Identifier } from '../identify/index.js';
import { AirlockError, errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { bearerChallenge, sendProblem } from '../lib/problem.js';
import { readBody } from '../lib/read-body.js';
import type { ActionRequest } from '../model/action-request.js';
import type { Principal } from '../model/principal.js';
import { decideDelegated } from '../pipeline/delegation.js';
import { clientIpOf } from '../lib/client-ip.js';
import type { GatewayMetrics } from './metrics.js';
import { approvalPage } from './pages/approval-page.js';
import { matchRoute, type Route, type RouteResult, type RouteTarget } from './routes.js';

export const CONTROL_PLANE = { type: 'Airlock', id: 'control-plane' } as const;

export interface ControlPlaneDeps {
  readonly identifier: Identifier;
  readonly engine: () => PolicyEngine;
  readonly audit: AuditWriter;
  readonly metrics: GatewayMetrics;
  readonly log: Logger;
  readonly now: () => Date;
  readonly ready: () => Promise<boolean>;
  readonly routes: readonly Route[];
  /** Endpoints that authenticate by their own means (a Slack signature), keyed by path; POST only. */
  readonly integrations?: Readonly<Record<string, (rawBody: string, headers: IncomingHttpHeaders, clientIp: string) => Promise<RouteResult>>>;
}

export function createControlPlane(deps: ControlPlaneDeps) {
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    res.setHeader('airlock-request-id', requestId);
    const url = new URL(req.url ?? '/', 'http://control-plane');
    try {
      if (await openEndpoint(url.pathname, res)) return;
      const integration = req.method === 'POST' ? deps.integrations?.[url.pathname] : undefined;
      if (integration) {
        const raw = await readBody(req, 1024 * 1024);
        send(res, await integration(raw.toString('utf8'), req.headers, clientIpOf(req)));
        return;
      }
      await decided(req, res, url, requestId);
    } catch (err) {
      deps.log.error({ err: errorMessage(err), request_id: requestId }, 'control-plane request failed');
      const code = err instanceof AirlockError ? err.code : 'internal';
      sendProblem(res, { code, detail: err instanceof AirlockError ? err.message : 'internal error', requestId });
    }
  };

  async function openEndpoint(pathname: string, res: ServerResponse): Promise<boolean> {
    if (pathname === '/healthz') return send(res, { status: 200, json: { status: 'ok' } });
    if (pathname === '/readyz') {
      const ready = await deps.ready();
      return send(res, { status: ready ? 200 : 503, json: { status: ready ? 'ready' : 'not ready' } });
    }
    if (/^\/approvals\/[^/]+$/.test(pathname)) {
      return send(res, { status: 200, text: approvalPage(), contentType: 'text/html; charset=utf-8' });
    }
    if (pathname === '/metrics') {
      return send(res, { status: 200, text: await deps.metrics.exposition(), contentType: deps.metrics.contentType });
    }
    return false;
  }

  async function decided(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
    const started = performance.now();
    const time = deps.now();
    const clientIp = clientIpOf(req);
    const method = req.method ?? 'GET';
    const audit = (entry: Parameters<typeof decisionRecord>[0]) => deps.audit.append(decisionRecord(entry));
    const refuse = (code: Parameters<typeof sendProblem>[1]['code'], detail: string, facts: Partial<Parameters<typeof decisionRecord>[0]> = {}, headers?: Record<string, string>) => {
      const status = sendProblem(res, { code, detail, requestId, headers: headers ?? bearerChallenge(code) });
      deps.metrics.controlPlane.inc({ action: facts.action ?? '-', decision: facts.decision?.effect ?? code });
      // Queued, not awaited: the refusal is already sent, and a queued record is retried until the
      // store takes it, where an awaited append that failed would be lost.
      deps.audit.enqueue(decisionRecord({ requestId, time, surface: 'control', refusal: code, reasons: [detail], status, latencyMs: performance.now() - started, ...facts }));
    };

    let principal;
    try {
      principal = await deps.identifier.identify(req.headers.authorization);
    } catch (err) {
      req.resume();
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
      const raw = await readBody(req, 1024 * 1024);
      body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      return refuse('bad_request', 'the request body must be JSON', { principal, action: route.action });
    }

    let target: RouteTarget;
    try {
      target = route.target ? route.target(params, body) : { resource: CONTROL_PLANE };
    } catch (err) {
      return refuse('bad_request', err instanceof AirlockError ? err.message : 'the request body is not valid', { principal, action: route.action });
    }
    const action = target.action ?? route.action;
    const { resource } = target;
    const request: ActionRequest = { action, resource, resourceName: target.resourceName ?? '', context: target.context ?? {} };
    const contextOf = (p: Principal) => commonContext({ principal: p, sourceIp: clientIp, method, path: url.pathname, now: time }, target.context);
    const context = contextOf(principal);
    const decision = decideDelegated(principal, (p) => deps.engine().decide({ principal: p, request, context: p === principal ? context : contextOf(p) }));
    const facts = { principal, action, resource, resourceName: target.resourceName, context, decision };
    const proceeds = decision.effect === 'allow' || (decision.effect === 'approval_required' && route.handlesApproval);
    if (!proceeds) {
      const mfa = decision.effect === 'mfa_required';
      return refuse(
        mfa ? 'mfa_required' : decision.effect === 'approval_required' ? 'approval_required' : 'denied',
        mfa ? 'this action needs a recent multi-factor sign-in' : decision.reasons[0] ?? 'denied by policy',
        facts,
        mfa ? bearerChallenge('mfa_required', decision.obligations.mfa?.maxAge) : undefined,
      );
    }
    try {
      await audit({ requestId, time, surface: 'control', ...facts });
    } catch {
      sendProblem(res, { code: 'audit_unavailable', detail: 'the audit log cannot be written', requestId });
      return;
    }
    deps.metrics.controlPlane.inc({ action: route.action, decision: decision.effect });
    let result: RouteResult;
    try {
      result = await route.handler({ principal, decision, context, params, query: url.searchParams, body, requestId });
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
  });
  res.end(body);
  return true;
}
