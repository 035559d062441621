// The surface of `openai` and `http` resources: the request is read whole (under
// limits.max_body_bytes, since the decision may depend on the body: the model an inference call
// names), classified by the resource type's classifier, authorized by the shared stages, and
// forwarded unchanged with the answer streamed back. Refusals are RFC 9457 problems.
import { classifierFor } from '../../classify/index.js';
import { AirlockError, type ErrorCode } from '../../lib/errors.js';
import { refusalChallenge, sendProblem } from '../../lib/problem.js';
import { readBody } from '../../lib/read-body.js';
import { refuseEncodedBody } from '../../lib/request-headers.js';
import { overrideInBody } from '../../lib/request-overrides.js';
import { sha256Hex } from '../../lib/sha256.js';
import type { ActionRequest } from '../../model/action-request.js';
import { principalUid, type Principal } from '../../model/principal.js';
import { TokenLedger } from '../openai/token-ledger.js';
import { UsageMeter } from '../openai/usage-meter.js';
import { newSpanId } from '../../telemetry/tracer.js';
import type { Refusal } from '../../pipeline/stage-contract.js';
import type { Exchange, SurfaceFactory } from '../../pipeline/surface.js';
import type { HttpResourceConfig } from './config.js';
import { Upstream } from './forward.js';

export const httpSurface: SurfaceFactory<HttpResourceConfig> = (config, { stages, maxBodyBytes, store, log, assertions, secrets }) => {
  const asserted = config.identity_assertion;
  if (asserted && !assertions) throw new Error(`resources.${config.name}: identity assertions need a signing key`);
  const classify = classifierFor(config.type);
  // The openai classifier decides on the body (the model); the http one on method and path only.
  const readsBody = config.type === 'openai';
  const upstream = new Upstream(config, secrets);
  // Model calls are metered: their tokens feed `context.tokens_today` (a per-principal budget).
  const tokens = config.type === 'openai' ? new TokenLedger(store.usage, log) : undefined;

  async function refuse(ex: Exchange, refusal: Refusal & { principal?: Principal; request?: ActionRequest }): Promise<void> {
    sendRefusal(ex, await stages.refuse(ex, refusal));
  }

  return {
    async handle(ex) {
      const { req, res } = ex;
      const method = req.method ?? 'GET';
      let principal: Principal;
      const identifyStart = ex.trace && performance.now();
      try {
        principal = await stages.identify(req.headers.authorization);
      } catch (err) {
        req.resume();
        return refuse(ex, refusalOf(err, 'unauthenticated'));
      } finally {
        if (identifyStart !== undefined) ex.trace!.stage('airlock.identify', identifyStart, performance.now());
      }
      let body: Buffer;
      try {
        body = await readBody(req, maxBodyBytes);
      } catch (err) {
        return refuse(ex, { ...refusalOf(err, 'bad_request'), principal });
      }
      let request: ActionRequest;
      try {
        if (readsBody) refuseEncodedBody(req, body);
        const override = overrideInBody(req.headers['content-type'], body);
        if (override) throw new AirlockError('bad_request', override);
        request = classify({ resourceName: config.name, method, path: ex.path, headers: req.headers, body });
      } catch (err) {
        return refuse(ex, { ...refusalOf(err, 'bad_request'), principal });
      }
      const metered = tokens && request.action === 'model.invoke' ? principalUid(principal) : undefined;
      if (metered) {
        try {
          request.context.tokens_today = await tokens!.today(metered);
        } catch {
          return refuse(ex, { code: 'store_unavailable', detail: 'token usage cannot be read', principal, request });
        }
      }
      const sha256 = body.length ? sha256Hex(body) : undefined;
      const approval = req.headers['airlock-approval'];
      const verdict = await stages.authorize(ex, {
        principal,
        request,
        method,
        path: ex.path,
        bound: { method, path: ex.path, query_sha256: ex.query ? sha256Hex(Buffer.from(ex.query)) : null, body_sha256: sha256 ?? null },
        presentedApproval: typeof approval === 'string' ? approval : undefined,
        body: { bytes: body, contentType: req.headers['content-type'], sha256 },
      });
      if (!verdict.allowed) return sendRefusal(ex, verdict.refusal);

      const upstreamStarted = performance.now();
      const upstreamSpan = ex.trace && newSpanId();
      const usage = metered ? new UsageMeter() : undefined;
      try {
        const outcome = await upstream.forward(
          {
            method,
            path: ex.path,
            query: ex.query,
            headers: req.headers,
            body,
            clientIp: ex.clientIp,
            requestId: ex.requestId,
            assertion: asserted && assertions!.sign({ principal, requestId: ex.requestId, audience: asserted.audience, ttlSeconds: asserted.ttl_seconds }),
            traceparent: upstreamSpan && ex.trace!.outgoing(upstreamSpan),
          },
          res,
          usage && ((chunk) => usage.data(chunk)),
        );
        if (upstreamSpan) ex.trace!.stage('airlock.upstream', upstreamStarted, performance.now(), { 'http.response.status_code': outcome.status }, 'client', upstreamSpan);
        // A call the model served is counted, estimated when the answer reported no usage.
        const used = usage && outcome.status >= 200 && outcome.status < 300 ? usage.tokens(body.length) : undefined;
        if (used?.tokens) tokens!.add(metered!, used.tokens);
        const fields = used?.tokens ? { tokens: used.tokens, ...(used.estimated ? { tokens_estimated: true } : {}) } : undefined;
        stages.outcome(ex, { status: outcome.status, bytes: outcome.bytes, error: outcome.error, upstreamStarted, fields });
      } catch (err) {
        const code: ErrorCode = err instanceof AirlockError ? err.code : 'upstream_unavailable';
        if (upstreamSpan) ex.trace!.stage('airlock.upstream', upstreamStarted, performance.now(), { 'error.type': code }, 'client', upstreamSpan);
        const status = sendProblem(res, { code, detail: err instanceof AirlockError ? err.message : 'upstream failed', requestId: ex.requestId });
        stages.outcome(ex, { status, bytes: 0, error: code, upstreamStarted });
      }
    },
    async close() {
      await Promise.all([upstream.close(), tokens?.close()]);
    },
  };
};

/** A refusal as an RFC 9457 problem. */
export function sendRefusal(ex: Pick<Exchange, 'res' | 'requestId'>, r: Refusal): void {
  sendProblem(ex.res, {
    code: r.code,
    detail: r.detail,
    requestId: ex.requestId,
    headers: r.headers ?? refusalChallenge(r),
    extra: r.approvalId ? { approval_id: r.approvalId } : undefined,
  });
}

/** An expected AirlockError keeps its code; anything else is `fallback`, without internal detail. */
export function refusalOf(err: unknown, fallback: ErrorCode): Refusal {
  if (err instanceof AirlockError) return { code: err.code, detail: err.message };
  return { code: fallback, detail: fallback === 'unauthenticated' ? 'the credential was not accepted' : 'the request could not be read' };
}
