// The data plane: one short function runs a request through the stages. Identify, classify and
// decide (decide-request.ts); then the decision record is made durable; then, and only for
// `allow`, the request is forwarded, and its outcome recorded when the response ends. Every
// other path renders a refusal. An error anywhere ends in a refusal, never in a forward.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { GatewayMetrics } from '../admin/metrics.js';
import type { Capture } from '../audit/capture/index.js';
import { decisionRecord, outcomeRecord } from '../audit/records.js';
import type { AuditWriter } from '../audit/writer.js';
import { AirlockError, type ErrorCode } from '../lib/errors.js';
import { bearerChallenge, sendProblem, statusOf } from '../lib/problem.js';
import type { Logger } from '../lib/logger.js';
import type { Decision } from '../model/decision.js';
import { gateApproval, type ApprovalGateDeps } from './approval-gate.js';
import { clientIpOf, decidedRequest, decideRequest, type DecideDeps, type DecidedRequest } from './decide-request.js';

interface Refusal {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly headers?: Record<string, string>;
  readonly approvalId?: string;
}

export interface DataPlaneDeps extends DecideDeps, ApprovalGateDeps {
  readonly audit: AuditWriter;
  readonly metrics: GatewayMetrics;
  readonly log: Logger;
  /** What of a request body enters its decision record (audit.capture). */
  readonly capture: Capture;
  /** 'strict': forward only after the decision record is durable. */
  readonly auditMode: 'strict' | 'async';
}

export function createDataPlane(deps: DataPlaneDeps) {
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    // Every answer carries it as Airlock-Request-Id: sendProblem and the forward both set it.
    const requestId = randomUUID();
    let decided = decidedRequest({ clientIp: clientIpOf(req) });
    try {
      decided = await decideRequest(req, deps);
      deps.metrics.decisionSeconds.observe((performance.now() - started) / 1000);
      let refusal = decided.refusal ?? refusalFor(decided.decision);
      if (decided.decision?.effect === 'approval_required' && !decided.refusal) {
        ({ decided, refusal } = await settleApproval(req, decided, requestId));
      }
      deps.metrics.requests.inc([decided.mounted?.config.name ?? '-', decided.request?.action ?? '-', decided.decision?.effect ?? decided.refusal?.code ?? 'deny']);
      if (refusal) return await refuse(res, requestId, started, decided, refusal);
      await allow(req, res, requestId, started, decided);
    } catch (err) {
      deps.log.error({ err: errorSummary(err), request_id: requestId }, 'data-plane request failed');
      if (res.headersSent) return void res.destroy();
      const code: ErrorCode = err instanceof AirlockError ? err.code : 'internal';
      const status = sendProblem(res, { code, detail: err instanceof AirlockError ? err.message : 'internal error', requestId });
      // Best effort: the failure may be the audit store itself.
      await record(decided, requestId, started, code, status).catch(() => undefined);
    }
  };

  /** Spends or opens the approval the decision asks for; the request goes on as allowed only if one was spent. */
  async function settleApproval(req: IncomingMessage, decided: DecidedRequest, requestId: string): Promise<{ decided: DecidedRequest; refusal?: Refusal }> {
    const gate = await gateApproval(req, decided, requestId, deps);
    if (!gate.forward) {
      return { decided: decidedRequest({ ...decided, approvalId: gate.approvalId }), refusal: { code: gate.code, detail: gate.detail, approvalId: gate.approvalId } };
    }
    const decision = { ...decided.decision!, effect: 'allow' as const, reasons: [...decided.decision!.reasons, `approval ${gate.approval.id} used`] };
    return { decided: decidedRequest({ ...decided, decision, approvalId: gate.approval.id }) };
  }

  async function refuse(
    res: ServerResponse,
    requestId: string,
    started: number,
    d: DecidedRequest,
    refusal: Refusal,
  ): Promise<void> {
    const status = await record(d, requestId, started, refusal.code, statusOf(refusal.code));
    sendProblem(res, {
      code: status === 503 ? 'audit_unavailable' : refusal.code,
      detail: status === 503 ? 'the audit log cannot be written' : refusal.detail,
      requestId,
      headers: refusal.headers ?? bearerChallenge(refusal.code),
      extra: refusal.approvalId && status !== 503 ? { approval_id: refusal.approvalId } : undefined,
    });
  }

  async function allow(req: IncomingMessage, res: ServerResponse, requestId: string, started: number, d: DecidedRequest) {
    const mounted = d.mounted!;
    if ((await record(d, requestId, started)) === 503) {
      sendProblem(res, { code: 'audit_unavailable', detail: 'the audit log cannot be written', requestId });
      return;
    }
    const upstreamStart = performance.now();
    try {
      const outcome = await mounted.upstream.forward(
        { method: req.method ?? 'GET', path: d.path!, query: d.query!, headers: req.headers, body: d.body!, clientIp: d.clientIp, requestId },
        res,
      );
      deps.metrics.upstreamSeconds.observe((performance.now() - upstreamStart) / 1000, [mounted.config.name]);
      deps.audit.enqueue(
        outcomeRecord({
          requestId,
          time: deps.now(),
          status: outcome.status,
          bytes: outcome.bytes,
          latencyMs: performance.now() - started,
          error: outcome.error,
        }),
      );
    } catch (err) {
      const code: ErrorCode = err instanceof AirlockError ? err.code : 'upstream_unavailable';
      const status = sendProblem(res, { code, detail: err instanceof AirlockError ? err.message : 'upstream failed', requestId });
      deps.audit.enqueue(outcomeRecord({ requestId, time: deps.now(), status, bytes: 0, latencyMs: performance.now() - started, error: code }));
    }
  }

  /**
   * Writes the decision record. Strict mode waits for the commit; a failed commit turns the answer
   * into 503, so nothing is forwarded that the log does not hold. Returns the status to answer with.
   */
  async function record(d: DecidedRequest, requestId: string, started: number, refusal?: ErrorCode, status?: number) {
    const entry = decisionRecord({
      requestId,
      time: deps.now(),
      surface: 'data',
      principal: d.principal,
      action: d.request?.action,
      resource: d.request?.resource,
      resourceName: d.mounted?.config.name,
      context: d.context,
      decision: d.decision,
      refusal,
      reasons: d.refusal ? [d.refusal.detail] : undefined,
      body: d.body?.length && d.mounted ? deps.capture(d.mounted.config.type, d.body, d.contentType, d.bodySha256) : undefined,
      approvalId: d.approvalId,
      status,
      latencyMs: status !== undefined ? performance.now() - started : undefined,
    });
    if (deps.auditMode === 'async') {
      deps.audit.enqueue(entry);
      return status;
    }
    try {
      await deps.audit.append(entry);
      return status;
    } catch {
      return 503;
    }
  }
}

/** Maps a decision that is not `allow` to the refusal the client sees. */
function refusalFor(decision: Decision | undefined): Refusal | undefined {
  if (!decision) return { code: 'denied', detail: 'no decision was made' };
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

function errorSummary(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
