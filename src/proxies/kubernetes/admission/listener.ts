// The validating admission webhook's own TLS listener (`admission:`): `POST /admission/<name>` for
// each `kubernetes` resource. Every review gets an answer within the resource's `budget_ms`: a
// review not decided by then is refused (the webhook fails closed, like its `failurePolicy:
// Fail`), so a slow store or API server delays a deployment by at most the budget instead of
// holding the API server's request until its own timeout (the way webhooks that time out block
// scheduling). A review that cannot be read is refused and recorded; one without a uid gets a 400,
// which the API server, under failurePolicy Fail, also takes as a refusal.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { AirlockError, errorMessage } from '../../../lib/errors.js';
import type { Logger } from '../../../lib/logger.js';
import { sendProblem, statusOf } from '../../../lib/problem.js';
import { readBody } from '../../../lib/read-body.js';
import { parseJsonStrict } from '../../../lib/strict-json.js';
import type { ClientAddress } from '../../../lib/client-ip.js';
import type { Stages } from '../../../pipeline/stage-contract.js';
import type { MountedResource } from '../../../pipeline/surface.js';
import type { Store } from '../../../store/ports.js';
import { LiveInject } from '../../http/live-inject.js';
import { KubernetesApi, upstreamTarget } from '../api-client.js';
import type { KubernetesResourceConfig } from '../config.js';
import { refusalMessage } from '../status.js';
import { admit, type AdmitDeps, type Deadline } from './admit.js';
import { startReconcile } from './reconcile.js';
import { admissionResponse, admissionReviewSchema, reviewProblem, uidOf, type AdmissionAnswer } from './review.js';

export interface AdmissionDeps {
  readonly resources: ReadonlyMap<string, MountedResource>;
  readonly stages: Stages;
  readonly store: Store;
  readonly log: Logger;
  readonly clientIp: ClientAddress;
  readonly maxBodyBytes: number;
  readonly baseDir: string;
  /** Set when the config references secrets: the gateway's credential (`inject`) is then live. */
  readonly secrets?: { readonly generation: number };
}

const ROUTE = /^\/admission\/([a-z0-9][a-z0-9_-]*)$/;

/** The request handler, and what to stop at shutdown (the reconcile loops and API clients). */
export function admissionHandler(deps: AdmissionDeps): { handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>; close: () => Promise<void> } {
  const admitters = new Map<string, { mount: MountedResource; deps: AdmitDeps; stop: () => void }>();
  for (const mount of deps.resources.values()) {
    if (mount.config.type !== 'kubernetes') continue;
    const config = mount.config as KubernetesResourceConfig;
    const api = new KubernetesApi(upstreamTarget(config, deps.baseDir), new LiveInject(config, deps.secrets));
    admitters.set(config.name, {
      mount,
      deps: { config, stages: deps.stages, gpus: deps.store.gpus, api, now: Date.now },
      stop: startReconcile(config, api, deps.store.gpus, deps.log),
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = randomUUID();
    const name = ROUTE.exec((req.url ?? '').split('?')[0]!)?.[1];
    const admitter = name === undefined ? undefined : admitters.get(name);
    if (!admitter || req.method !== 'POST') {
      req.resume();
      return void sendProblem(res, { code: 'not_found', detail: 'POST /admission/<name> of a kubernetes resource', requestId });
    }
    const { config } = admitter.deps;
    const site = { req, requestId, started, clientIp: deps.clientIp(req), mount: admitter.mount, path: `/admission/${config.name}`, query: '' };
    const deadline: Deadline = { expired: false };
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<{ answer: AdmissionAnswer; uid?: string }>((resolve) => {
      // A little under the budget, so the answer is on the wire within it.
      timer = setTimeout(() => {
        deadline.expired = true;
        const detail = `not decided within ${config.budget_ms} ms; refused (the webhook fails closed)`;
        resolve({ answer: { allowed: false, code: 504, reason: 'Timeout', message: refusalMessage({ code: 'upstream_timeout', detail }, requestId) } });
      }, Math.max(10, config.budget_ms - Math.min(50, config.budget_ms / 10)));
    });
    let uid: string | undefined;
    const decided = (async () => {
      let value: unknown;
      try {
        value = parseJsonStrict((await readBody(req, deps.maxBodyBytes)).toString('utf8'));
      } catch (err) {
        return { early: err instanceof AirlockError ? err : new AirlockError('bad_request', 'the AdmissionReview could not be read') };
      }
      uid = uidOf(value);
      const parsed = admissionReviewSchema.safeParse(value);
      if (!parsed.success) return { early: new AirlockError('bad_request', reviewProblem(parsed.error)) };
      try {
        return { answer: await admit(site, parsed.data.request, admitter.deps, deadline) };
      } catch (err) {
        if (err instanceof AirlockError && err.code === 'bad_request') return { early: err };
        const code = err instanceof AirlockError ? err.code : 'internal';
        if (!(err instanceof AirlockError)) deps.log.error({ err: errorMessage(err), request_id: requestId }, 'admission failed');
        const detail = err instanceof AirlockError ? err.message : 'the review could not be decided';
        deps.stages.event(site, 'k8s_admission', { uid, allowed: false, code, message: detail });
        return { answer: { allowed: false, code: statusOf(code), message: refusalMessage({ code, detail }, requestId) } };
      }
    })();
    const result = await Promise.race([decided, outOfTime]);
    clearTimeout(timer);
    if ('early' in result && result.early) {
      const refusal = await deps.stages.refuse(site, { code: result.early.code, detail: result.early.message });
      if (!uid) return void sendProblem(res, { code: refusal.code, detail: refusal.detail, requestId });
      return send(res, requestId, uid, { allowed: false, code: statusOf(refusal.code), reason: 'BadRequest', message: refusalMessage(refusal, requestId) });
    }
    const answer = (result as { answer: AdmissionAnswer }).answer;
    if (deadline.expired) deps.stages.event(site, 'k8s_admission', { uid, allowed: false, code: 'budget_exceeded', message: answer.message });
    if (!uid) return void sendProblem(res, { code: 'upstream_timeout', detail: 'the review was not read within the budget', requestId });
    send(res, requestId, uid, answer);
  }

  return {
    handle,
    async close() {
      for (const a of admitters.values()) a.stop();
      await Promise.all([...admitters.values()].map((a) => a.deps.api.close()));
    },
  };
}

function send(res: ServerResponse, requestId: string, uid: string, answer: AdmissionAnswer): void {
  const body = JSON.stringify(admissionResponse(uid, answer));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'airlock-request-id': requestId });
  res.end(body);
}
