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
import type { BoundRequest } from '../approvals/types.js';
import { AirlockError, type ErrorCode } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { bearerChallenge, statusOf } from '../lib/problem.js';
import type { ActionRequest } from '../model/action-request.js';
import type { Decision } from '../model/decision.js';
import { formatEntity, type CedarRecord } from '../model/entity.js';
import { principalUid, type Principal } from '../model/principal.js';
import { isRunId, RUN_ID_RULE } from '../model/run-id.js';
import { AnonymousTraffic } from './anonymous-traffic.js';
import { gateApproval, type ApprovalGateDeps } from './approval-gate.js';
import { rateLimited, TokenBuckets, type RateLimitsConfig } from './rate-limits.js';
import { decideDelegated } from './delegation.js';
import type { Exchange, MountedResource } from './surface.js';

/** Where a refusal happened: a request, with the resource it named if there is one. */
export type RequestSite = Pick<Exchange, 'requestId' | 'started' | 'clientIp'> & { readonly mount?: MountedResource };

/** A request being decided: an exchange, or an upgrade (which has a socket, not a response). */
export type DecisionSite = Omit<Exchange, 'res'>;

/** A request refused: what the surface renders. */
export interface Refusal {
  readonly code: ErrorCode;
  readonly detail: string;
  /** Challenge headers (`WWW-Authenticate`) for 401 answers. */
  readonly headers?: Record<string, string>;
  /** The approval opened for (or presented by) this request. */
  readonly approvalId?: string;
}

export type Verdict =
  | { readonly allowed: true; readonly decision: Decision; readonly context: CedarRecord; readonly approvalId?: string }
  | { readonly allowed: false; readonly refusal: Refusal; readonly decision?: Decision };

/** The request body as far as the audit record may see it (audit.capture decides how much). */
export interface RecordedBody {
  readonly bytes: Buffer;
  readonly contentType?: string;
  readonly sha256?: string;
}

export interface AuthorizeInput {
  readonly principal: Principal;
  readonly request: ActionRequest;
  /** The method and path the common context shows (`context.method`, `context.path`). */
  readonly method: string;
  readonly path: string;
  /** What an approval opened or spent for this request is bound to. */
  readonly bound: BoundRequest;
  /** The approval the client presents (`Airlock-Approval`, or the surface's own place for it). */
  readonly presentedApproval: string | undefined;
  readonly body: RecordedBody | undefined;
  /** Surface facts for the decision record (a tool call's session, an object's bucket and key). */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** The identical request spends an approval granted for it without presenting its id (see approval-gate.ts). */
  readonly spendIdenticalRetry?: boolean;
  /** Overrides approvals.hold_seconds for this request (0: never wait). */
  readonly holdSeconds?: number;
}

/** A refusal made before any decision: no credential, no such resource, unreadable input. */
export interface EarlyRefusal extends Refusal {
  readonly principal?: Principal;
  readonly request?: ActionRequest;
}

export interface OutcomeInput {
  /** The upstream's status; 0 when there was none. */
  readonly status: number;
  readonly bytes: number;
  readonly error?: string;
  /** performance.now() when the upstream request started, for the upstream latency metric. */
  readonly upstreamStarted?: number;
  readonly fields?: Readonly<Record<string, unknown>>;
}

export interface Stages {
  /** Resolves to the caller or rejects with AirlockError('unauthenticated'). */
  identify(authorization: string | undefined): Promise<Principal>;
  /** Decides the request, settles its obligations and records the decision. Never rejects. */
  authorize(ex: DecisionSite, input: AuthorizeInput): Promise<Verdict>;
  /** Records a refusal made before a decision; the refusal to render (audit_unavailable when it could not be recorded). */
  refuse(site: RequestSite, refusal: EarlyRefusal): Promise<Refusal>;
  /** Records what became of an allowed request once its response ended (queued, never awaited). */
  outcome(ex: DecisionSite, outcome: OutcomeInput): void;
  /**
   * Appends a record of the surface's own kind linked to the request (an exec session that
   * started), queued like an outcome; `fields` never shadow the record's own keys.
   */
  event(ex: DecisionSite, kind: string, fields: Readonly<Record<string, unknown>>): void;
  /**
   * A decision with no record and no obligations settled: for filtering what a listing shows
   * (each entry the caller may not use is left out). Any failure is deny.
   */
  decideOnly(ex: Exchange, principal: Principal, request: ActionRequest): Decision;
  /** Writes what is still counted (aggregated refusals) when it keeps the count itself; called once at shutdown. */
  close(): void;
  readonly now: () => Date;
  readonly log: Logger;
  readonly metrics: GatewayMetrics;
}

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

const INVALID_RUN = Symbol('invalid run id');

/** The run a request belongs to: its `Airlock-Run-Id` header, else its credential's run. */
function runOf(ex: DecisionSite, principal: Principal): string | undefined | typeof INVALID_RUN {
  const header = ex.req.headers['airlock-run-id'];
  if (header === undefined) return principal.runId;
  return isRunId(header) ? header : INVALID_RUN;
}

/**
 * The surface's fields, plus what lineage reads back from the log: the run, and the attributes the
 * resource inherited from its ancestors (a dataset's prefix says `sensitivity`).
 */
function recordFields(input: AuthorizeInput, run: string | undefined | typeof INVALID_RUN): Readonly<Record<string, unknown>> | undefined {
  const inherited = input.request.ancestors?.length ? Object.assign({}, ...[...input.request.ancestors].reverse().map((a) => a.attrs)) : undefined;
  if (typeof run !== 'string' && !inherited) return input.fields;
  return { ...input.fields, ...(typeof run === 'string' ? { run_id: run } : {}), ...(inherited && Object.keys(inherited).length ? { resource_attributes: inherited } : {}) };
}

/** What a span may say of a decision: never a credential, a body or a context value. */
function decisionAttributes(request: ActionRequest, decision: Decision) {
  return {
    'airlock.action': request.action,
    'airlock.resource': formatEntity(request.resource),
    'airlock.decision': decision.effect,
    'airlock.policies': decision.policies,
    'airlock.policy_version': decision.policyVersion,
  };
}


/** Maps a decision that is not `allow` to the refusal the client sees. */
function refusalFor(decision: Decision): Refusal | undefined {
  switch (decision.effect) {
    case 'allow':
      return undefined;
    case 'mfa_required':
      return {
        code: 'mfa_required',
        detail: 'this action needs a recent multi-factor sign-in',
        headers: bearerChallenge('mfa_required', decision.obligations.mfa?.maxAge),
      };
    case 'approval_required':
      return { code: 'approval_required', detail: 'this action needs an approval' };
    default:
      return { code: 'denied', detail: decision.reasons[0] ?? 'denied by policy' };
  }
}
