// The surface of `kubernetes` resources: kubectl and client libraries use
// `http://<listen>/<name>` as their API server. Each request is read as the API server reads it
// (verb, object, and for writes the object it would leave behind), decided by the shared stages,
// and then forwarded with the gateway's own credential; watches stream through unbuffered for as
// long as they last, and exec, attach and port-forward upgrades are decided first and then relayed
// (upgrade-relay.ts). Refusals are Kubernetes `Status` objects. kubectl cannot add a header, so
// an approval granted for a request is spent by the identical retry (`spendIdenticalRetry`);
// `Airlock-Approval`, or a kubeconfig whose server path starts with `/_airlock/approval/<id>`
// (`airlock kubeconfig --approval`), presents one explicitly.
import type { IncomingMessage } from 'node:http';
import { registerActionLabels } from '../../admin/metric-labels.js';
import { AirlockError } from '../../lib/errors.js';
import { readBody } from '../../lib/read-body.js';
import { refuseEncodedBody } from '../../lib/request-headers.js';
import { sha256Hex } from '../../lib/sha256.js';
import type { Principal } from '../../model/principal.js';
import type { ActionRequest } from '../../model/action-request.js';
import type { DecisionSite, Refusal } from '../../pipeline/stage-contract.js';
import type { Exchange, SurfaceFactory, UpgradeExchange } from '../../pipeline/surface.js';
import { Upstream } from '../http/forward.js';
import { refusalOf } from '../http/surface.js';
import { KubernetesApi, upstreamTarget } from './api-client.js';
import { parseApiRequest, type ApiRequest } from './api-path.js';
import { k8sActionRequest } from './classify.js';
import type { KubernetesResourceConfig } from './config.js';
import { refuseUpgradeWithStatus, sendStatus } from './status.js';
import { relayUpgrade } from './upgrade-relay.js';
import { NO_WORKLOAD } from './workload-facts.js';
import { WRITE_VERBS, writeFacts } from './write-facts.js';

registerActionLabels('k8s.discovery');

const APPROVAL_PREFIX = /^\/_airlock\/approval\/([A-Za-z0-9-]{1,64})(?=\/|$)/;
const STREAM_VERBS = new Set(['exec', 'attach', 'portforward', 'proxy']);

export const kubernetesSurface: SurfaceFactory<KubernetesResourceConfig> = (config, { stages, maxBodyBytes, baseDir, secrets }) => {
  const target = upstreamTarget(config, baseDir ?? process.cwd());
  const upstream = new Upstream(target, secrets);
  const api = new KubernetesApi(target, upstream.inject);

  /** Who is asking, what they ask and, for a write, what it would do; or why it cannot be decided. */
  async function read(ex: DecisionSite, method: string, path: string, body: () => Promise<Buffer>): Promise<
    | { principal: Principal; api: ApiRequest; request: ActionRequest; bytes: Buffer }
    | { refusal: Refusal & { principal?: Principal; request?: ActionRequest } }
  > {
    let principal: Principal;
    try {
      principal = await stages.identify(ex.req.headers.authorization);
    } catch (err) {
      ex.req.resume();
      return { refusal: refusalOf(err, 'unauthenticated') };
    }
    const parsed = parseApiRequest(method, path, ex.query);
    const bare = k8sActionRequest(config.name, parsed, NO_WORKLOAD);
    try {
      refuseImpersonation(ex.req);
      const bytes = await body();
      if (WRITE_VERBS.has(parsed.verb)) refuseEncodedBody(ex.req, bytes);
      const facts = await writeFacts({
        api: parsed,
        path,
        method,
        contentType: ex.req.headers['content-type'],
        body: bytes,
        gpuResources: config.gpu_resources,
        read: (p) => api.get(p),
      });
      return { principal, api: parsed, request: facts === NO_WORKLOAD ? bare : k8sActionRequest(config.name, parsed, facts), bytes };
    } catch (err) {
      return { refusal: { ...refusalOf(err, 'bad_request'), principal, request: bare } };
    }
  }

  return {
    async handle(ex) {
      const { req, res } = ex;
      const method = req.method ?? 'GET';
      const { path, approval } = approvalPrefix(ex.path);
      const r = await read(ex, method, path, () => readBody(req, maxBodyBytes));
      if ('refusal' in r) return void sendStatus(res, await stages.refuse(ex, r.refusal), ex.requestId);
      const sha256 = r.bytes.length ? sha256Hex(r.bytes) : undefined;
      const header = req.headers['airlock-approval'];
      const verdict = await stages.authorize(ex, {
        principal: r.principal,
        request: r.request,
        method,
        path,
        bound: { method, path, query_sha256: ex.query ? sha256Hex(Buffer.from(ex.query)) : null, body_sha256: sha256 ?? null },
        presentedApproval: typeof header === 'string' ? header : approval,
        spendIdenticalRetry: true,
        body: { bytes: r.bytes, contentType: req.headers['content-type'], sha256 },
      });
      if (!verdict.allowed) return void sendStatus(res, verdict.refusal, ex.requestId);
      await forward(ex, method, path, r.bytes, r.api);
    },

    async upgrade(ex) {
      const method = ex.req.method ?? 'GET';
      const { path, approval } = approvalPrefix(ex.path);
      const r = await read(ex, method, path, async () => Buffer.alloc(0));
      if ('refusal' in r) return refuseUpgradeWithStatus(ex.socket, await stages.refuse(ex, r.refusal), ex.requestId);
      if (!STREAM_VERBS.has(r.api.verb)) {
        const refusal = await stages.refuse(ex, { code: 'bad_request', detail: 'only exec, attach, portforward and proxy take upgrades', principal: r.principal, request: r.request });
        return refuseUpgradeWithStatus(ex.socket, refusal, ex.requestId);
      }
      const session = sessionFacts(ex.query, ex.req);
      const header = ex.req.headers['airlock-approval'];
      const verdict = await stages.authorize(ex, {
        principal: r.principal,
        request: { ...r.request, context: { ...r.request.context, command: session.command, container: session.container } },
        method,
        path,
        // WebSocket exec is a GET and SPDY exec a POST: the same action, so one approval serves both.
        bound: { method: 'GET', path, query_sha256: ex.query ? sha256Hex(Buffer.from(ex.query)) : null, body_sha256: null },
        presentedApproval: typeof header === 'string' ? header : approval,
        spendIdenticalRetry: true,
        body: undefined,
        fields: { session: session.protocol, command: session.command, container: session.container },
      });
      if (!verdict.allowed) return refuseUpgradeWithStatus(ex.socket, verdict.refusal, ex.requestId);
      const upstreamStarted = performance.now();
      try {
        const outcome = await relayUpgrade(
          target,
          upstream.inject,
          { method, path, query: ex.query, headers: ex.req.headers, head: ex.head, clientIp: ex.clientIp, requestId: ex.requestId },
          ex.socket,
          (status) => stages.event(ex, 'k8s_session', { phase: 'start', status, verb: r.api.verb, session: session.protocol }),
        );
        stages.outcome(ex, {
          status: outcome.status,
          bytes: outcome.bytesOut,
          error: outcome.error,
          upstreamStarted,
          fields: { session: session.protocol, verb: r.api.verb, bytes_in: outcome.bytesIn, bytes_out: outcome.bytesOut, duration_ms: Math.round(performance.now() - upstreamStarted) },
        });
      } catch (err) {
        const refusal = refusalOf(err, 'upstream_unavailable');
        refuseUpgradeWithStatus(ex.socket, refusal, ex.requestId);
        stages.outcome(ex, { status: 0, bytes: 0, error: refusal.code, upstreamStarted });
      }
    },

    async close() {
      await Promise.all([upstream.close(), api.close()]);
    },
  };

  async function forward(ex: Exchange, method: string, path: string, body: Buffer, parsed: ApiRequest): Promise<void> {
    const upstreamStarted = performance.now();
    try {
      const outcome = await upstream.forward(
        { method, path, query: ex.query, headers: ex.req.headers, body, clientIp: ex.clientIp, requestId: ex.requestId, streaming: streams(parsed, ex.query) },
        ex.res,
      );
      stages.outcome(ex, { status: outcome.status, bytes: outcome.bytes, error: outcome.error, upstreamStarted });
    } catch (err) {
      const refusal = refusalOf(err, 'upstream_unavailable');
      const status = sendStatus(ex.res, refusal, ex.requestId);
      stages.outcome(ex, { status, bytes: 0, error: refusal.code, upstreamStarted });
    }
  }
};

/** Watches, followed logs and proxied streams may be quiet for minutes and last for hours. */
function streams(api: ApiRequest, query: string): boolean {
  return api.verb === 'watch' || api.verb === 'proxy' || (api.subresource === 'log' && /(^|[?&])follow=(true|1)(&|$)/.test(query));
}

/**
 * Impersonation headers make the API server act as whoever they name, with the gateway's own
 * credential behind them: a client could become anyone. They are refused, never forwarded.
 */
function refuseImpersonation(req: IncomingMessage): void {
  for (const name of Object.keys(req.headers)) {
    if (name.startsWith('impersonate-')) throw new AirlockError('bad_request', `the ${name} header is refused: requests through Airlock act as their own principal`);
  }
}

function approvalPrefix(path: string): { path: string; approval?: string } {
  const m = APPROVAL_PREFIX.exec(path);
  if (!m) return { path };
  return { path: path.slice(m[0].length) || '/', approval: m[1] };
}

/** What an exec or attach session runs, for its decision and records (the command is the query's `command=`s). */
function sessionFacts(query: string, req: IncomingMessage): { command: string[]; container: string; protocol: string } {
  const params = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  return {
    command: params.getAll('command'),
    container: params.get('container') ?? '',
    protocol: upgrade.startsWith('spdy') ? 'spdy' : upgrade === 'websocket' ? 'websocket' : upgrade || 'none',
  };
}
