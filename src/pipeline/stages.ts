// The shared half of every surface's request story, unaware of any protocol: identify the caller;
// authorize what the request would do (decide, then obligations: step-up, approval spent, opened
// or waited for), with the decision record durable before anything may be forwarded (strict
// mode); record refusals made before a decision; record the outcome of what was forwarded.
// Surfaces render the verdicts in their own dialect. Every branch that is not a clean `allow`
// ends in a refusal: an engine error, a failed approval step, or a decision the log cannot hold.
import type { IncomingMessage } from 'node:http';
import { actionLabel } from '../admin/metric-labels.js';
import type { GatewayMetrics } from '../admin/metrics.js';
import type { Capture } from '../audit/capture/index.js';
import { decisionRecord, outcomeRecord } from '../audit/records.js';
import type { AuditWriter } from '../audit/writer.js';
import { commonContext, type PolicyEngine } from '../decide/index.js';
import type { Identifier } from '../identify/index.js';
import { AirlockError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { statusOf } from '../lib/problem.js';
import type { ActionRequest } from '../model/action-request.js';
import type { Decision } from '../model/decision.js';
import type { CedarRecord } from '../model/entity.js';
import { principalUid, type Principal } from '../model/principal.js';
import { RUN_ID_RULE } from '../model/run-id.js';
import { AnonymousTraffic } from './anonymous-traffic.js';
import { gateApproval, type ApprovalGateDeps } from './approval-gate.js';
import { decideDelegated } from './delegation.js';
import { decisionAttributes, INVALID_RUN, recordFields, refusalFor, runOf } from './decision-facts.js';
import { rateLimited, TokenBuckets, type RateLimitsConfig } from './rate-limits.js';
import type { DecisionSite, Refusal, RequestSite, Stages } from './stage-contract.js';

export interface StagesDeps extends ApprovalGateDeps {
  readonly identifier: Identifier;
  readonly engine: () => PolicyEngine;
  readonly audit: AuditWriter;
  readonly metrics: GatewayMetrics;
  readonly log: Logger;
  readonly now: () => Date;
  /** What of a request body enters its decision record (audit.capture). */
  readonly capture: Capture;
  /** 'strict': forward only after the decision record is durable. */
  readonly auditMode: 'strict' | 'async';
  readonly rateLimits: RateLimitsConfig;
  /** Requests without an accepted credential; shared with the control plane (made here when not given). */
  readonly anonymous?: AnonymousTraffic;
}

const AUDIT_UNAVAILABLE: Refusal = { code: 'audit_unavailable', detail: 'the audit log cannot be written' };

export function createStages(deps: StagesDeps): Stages {
  const principalRate = new TokenBuckets(deps.rateLimits.principal);
  const anonymous = deps.anonymous ?? new AnonymousTraffic(deps.rateLimits, (entry) => deps.audit.enqueue(entry));

  function decide(ex: DecisionSite, principal: Principal, request: ActionRequest, method: string, path: string): { decision: Decision; context: CedarRecord } {
    const now = deps.now();
    const contextOf = (p: Principal) => commonContext({ principal: p, sourceIp: ex.clientIp, method, path, now }, request.context);
    const context = contextOf(principal);
    const decision = decideDelegated(principal, (p) =>
      deps.engine().decide({ principal: p, request, context: p === principal ? context : contextOf(p), resourceAttributes: ex.mount.attributes }),
    );
    return { decision, context };
  }

  /** Writes the decision record; in strict mode waits for its commit. False when it cannot be written. */
  async function record(site: Pick<RequestSite, 'requestId' | 'started'>, entry: ReturnType<typeof decisionRecord>): Promise<boolean> {
    if (deps.auditMode === 'async') {
      deps.audit.enqueue(entry);
      return true;
    }
    try {
      await deps.audit.append(entry);
      return true;
    } catch {
      // The decision record may still be committed (the writer sends its batch again until it is):
      // the outcome says the request was refused, so the record never reads as forwarded.
      const latencyMs = performance.now() - site.started;
      deps.audit.enqueue(outcomeRecord({ requestId: site.requestId, time: deps.now(), status: 503, bytes: 0, latencyMs, error: 'audit_unavailable' }));
      return false;
    }
  }

  function count(site: RequestSite, action: string | undefined, outcome: string): void {
    deps.metrics.requests.inc([site.mount?.config.name ?? '-', actionLabel(action), outcome]);
  }

  return {
    identify: (authorization) => deps.identifier.identify(authorization),
    now: deps.now,
    log: deps.log,
    metrics: deps.metrics,

    async authorize(ex, input) {
      const { principal, request } = input;
      let decision: Decision | undefined;
      let context: CedarRecord | undefined;
      let refusal: Refusal | undefined;
      let approvalId: string | undefined;
      const uid = principalRate.enabled ? principalUid(principal) : '';
      const run = runOf(ex, principal);
      if (run === INVALID_RUN) {
        refusal = { code: 'bad_request', detail: `Airlock-Run-Id must be ${RUN_ID_RULE}` };
      } else if (principalRate.enabled && !principalRate.take(uid)) {
        refusal = rateLimited(principalRate.retryAfter(uid));
      } else try {
        const decideStart = performance.now();
        ({ decision, context } = decide(ex, principal, request, input.method, input.path));
        const decided = performance.now();
        deps.metrics.decisionSeconds.observe((decided - ex.started) / 1000);
        ex.trace?.stage('airlock.decide', decideStart, decided, decisionAttributes(request, decision));
        refusal = refusalFor(decision);
        if (decision.effect === 'approval_required') {
          const gate = await gateApproval(ex.req as IncomingMessage, {
            principal,
            request,
            decision,
            context,
            bound: input.bound,
            presented: input.presentedApproval,
            spendIdenticalRetry: input.spendIdenticalRetry,
            holdSeconds: input.holdSeconds,
          }, ex.requestId, deps);
          ex.trace?.stage('airlock.approval', decided, performance.now(), { 'airlock.approval.forwarded': gate.forward });
          approvalId = gate.forward ? gate.approval.id : gate.approvalId;
          if (gate.forward) {
            decision = { ...decision, effect: 'allow', reasons: [...decision.reasons, `approval ${gate.approval.id} used`] };
            refusal = undefined;
          } else {
            refusal = { code: gate.code, detail: gate.detail, approvalId: gate.approvalId };
          }
        }
      } catch (err) {
        if (err instanceof AirlockError && err.code === 'too_many_pending') {
          refusal = { code: err.code, detail: err.message };
        } else {
          // An engine or approval-store failure: deny, and say no more than that.
          deps.log.error({ err: err instanceof Error ? err.message : String(err), request_id: ex.requestId }, 'authorize failed');
          refusal = { code: 'denied', detail: 'the request could not be decided' };
        }
      }
      count(ex, request.action, decision?.effect === 'allow' && !refusal ? 'allow' : decision?.effect ?? refusal!.code);
      const auditStart = performance.now();
      const written = await record(
        ex,
        decisionRecord({
          requestId: ex.requestId,
          time: deps.now(),
          surface: 'data',
          principal,
          action: request.action,
          resource: request.resource,
          resourceName: ex.mount.config.name,
          context,
          decision,
          refusal: decision ? undefined : refusal?.code,
          reasons: decision ? undefined : [refusal!.detail],
          body: input.body?.bytes.length ? deps.capture(ex.mount.config.type, input.body.bytes, input.body.contentType, input.body.sha256) : undefined,
          approvalId,
          status: refusal ? statusOf(refusal.code) : undefined,
          latencyMs: refusal ? performance.now() - ex.started : undefined,
          fields: recordFields(input, run),
        }),
      );
      if (ex.trace) {
        ex.trace.stage('airlock.audit', auditStart, performance.now(), { 'airlock.audit.written': written });
        ex.trace.set({ ...(decision ? decisionAttributes(request, decision) : {}), 'airlock.outcome': refusal?.code ?? 'allow' });
      }
      if (!written) return { allowed: false, refusal: AUDIT_UNAVAILABLE, decision };
      if (refusal) return { allowed: false, refusal, decision };
      return { allowed: true, decision: decision!, context: context!, approvalId };
    },

    async refuse(site, refusal) {
      let r = refusal;
      if (!r.principal) {
        // No accepted credential: the address pays, and past its share of records it is only counted.
        const verdict = anonymous.refuse(site.clientIp, r);
        r = { ...r, ...verdict.refusal };
        if (!verdict.record) {
          count(site, r.request?.action, r.code);
          return r;
        }
      }
      count(site, r.request?.action, r.code);
      const written = await record(
        site,
        decisionRecord({
          requestId: site.requestId,
          time: deps.now(),
          surface: 'data',
          principal: r.principal,
          action: r.request?.action,
          resource: r.request?.resource,
          resourceName: site.mount?.config.name,
          refusal: r.code,
          reasons: [r.detail],
          status: statusOf(r.code),
          latencyMs: performance.now() - site.started,
        }),
      );
      return written ? r : AUDIT_UNAVAILABLE;
    },

    outcome(ex, o) {
      const now = performance.now();
      if (o.upstreamStarted !== undefined) deps.metrics.upstreamSeconds.observe((now - o.upstreamStarted) / 1000, [ex.mount.config.name]);
      deps.audit.enqueue(
        outcomeRecord({ requestId: ex.requestId, time: deps.now(), status: o.status, bytes: o.bytes, latencyMs: now - ex.started, error: o.error, fields: o.fields }),
      );
    },

    event(ex, kind, fields) {
      deps.audit.enqueue({ ...fields, kind, time: deps.now().toISOString(), request_id: ex.requestId, resource_name: ex.mount.config.name });
    },

    close: () => {
      if (!deps.anonymous) anonymous.close();
    },

    decideOnly(ex, principal, request) {
      try {
        return decide(ex, principal, request, ex.req.method ?? 'GET', ex.path).decision;
      } catch {
        return { effect: 'deny', policies: [], reasons: ['the request could not be decided'], obligations: {}, policyVersion: '' };
      }
    },
  };
}
