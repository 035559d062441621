// The data plane's front door: every request gets its id, is routed by its first path segment to
// the surface of that resource, and is handled there (identify, classify, authorize, forward or
// refuse: see stages.ts and the surfaces under src/proxies/). A request that names no resource,
// or a path that cannot be read unambiguously, is still identified first (no request is exempt),
// refused and recorded. A surface that fails unexpectedly ends in a 500 problem, never a forward.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { clientIpOf, type ClientAddress } from '../lib/client-ip.js';
import { AirlockError, errorMessage } from '../lib/errors.js';
import { refusalChallenge, sendProblem, statusOf } from '../lib/problem.js';
import { refuseDuplicateAuthorization } from '../lib/request-headers.js';
import { splitRequestPath } from '../lib/request-path.js';
import { overrideInRequest } from '../lib/request-overrides.js';
import type { Logger } from '../lib/logger.js';
import type { Refusal, RequestSite, Stages } from './stage-contract.js';
import type { Exchange, MountedResource } from './surface.js';
import type { RequestTrace } from '../telemetry/tracer.js';

export interface DataPlaneDeps {
  readonly resources: ReadonlyMap<string, MountedResource>;
  readonly stages: Stages;
  readonly log: Logger;
  /** Who the client is, behind trusted proxies; the socket's peer by default. */
  readonly clientIp?: ClientAddress;
  /** Starts a request's trace when telemetry is on. */
  readonly trace?: (req: IncomingMessage, started: number) => RequestTrace;
}

type Routed = { readonly mount: MountedResource; readonly path: string; readonly query: string } | Refusal;

export function createDataPlane(deps: DataPlaneDeps) {
  const { stages } = deps;
  const clientIp = deps.clientIp ?? clientIpOf;

  function route(req: IncomingMessage): Routed {
    try {
      refuseDuplicateAuthorization(req);
    } catch (err) {
      return { code: 'bad_request', detail: (err as Error).message };
    }
    const r = splitRequestPath(wellKnownRoute(req.url ?? '/'), (name) => deps.resources.get(name)?.surface.rawPath === true);
    if (r && 'refused' in r) return { code: 'bad_request', detail: r.refused };
    // A request that names another method or path than its own (see request-overrides.ts).
    const override = overrideInRequest(req.headers, r ? r.query : '');
    if (override) return { code: 'bad_request', detail: override };
    // An upstream answers TRACE with the request it received: injected credentials and the
    // identity assertion would reach the client. Nothing a gateway fronts needs it.
    if (req.method === 'TRACE') return { code: 'bad_request', detail: 'TRACE is refused: the answer would echo what the gateway adds to a request' };
    const mount = r && deps.resources.get(r.resourceName);
    if (!r || !mount) return { code: 'not_found', detail: 'no such resource' };
    return { mount, path: r.path, query: r.query };
  }

  /** A request no surface takes: identified first, so an anonymous caller learns nothing of what exists. */
  async function unrouted(req: IncomingMessage, site: RequestSite, refusal: Refusal): Promise<Refusal> {
    req.resume();
    try {
      const principal = await stages.identify(req.headers.authorization);
      return await stages.refuse(site, { ...refusal, principal });
    } catch (err) {
      return stages.refuse(site, err instanceof AirlockError ? { code: err.code, detail: err.message } : { code: 'unauthenticated', detail: 'the credential was not accepted' });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = randomUUID();
    const routed = route(req);
    if (!('mount' in routed)) {
      const r = await unrouted(req, { requestId, started, clientIp: clientIp(req) }, routed);
      sendProblem(res, { code: r.code, detail: r.detail, requestId, headers: r.headers ?? refusalChallenge(r) });
      return;
    }
    const trace = deps.trace?.(req, started);
    const ex: Exchange = { req, res, requestId, started, clientIp: clientIp(req), mount: routed.mount, path: routed.path, query: routed.query, trace };
    trace?.set({ 'http.request.method': req.method ?? 'GET', 'url.path': routed.path, 'airlock.request_id': requestId, 'airlock.resource_name': routed.mount.config.name });
    try {
      await routed.mount.surface.handle(ex);
      trace?.set({ 'http.response.status_code': res.statusCode });
      trace?.end(performance.now(), res.statusCode >= 500);
    } catch (err) {
      trace?.end(performance.now(), true);
      deps.log.error({ err: errorMessage(err), request_id: requestId }, 'data-plane request failed');
      if (res.headersSent) return void res.destroy();
      sendProblem(res, { code: 'internal', detail: 'internal error', requestId });
      // Best effort: the failure may be the audit store itself.
      await stages.refuse(ex, { code: 'internal', detail: 'internal error' }).catch(() => undefined);
    }
  }

  /** Upgrades go to surfaces that relay them (Kubernetes exec); every other one is refused. */
  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const started = performance.now();
    const requestId = randomUUID();
    const routed = route(req);
    const surface = 'mount' in routed ? routed.mount.surface : undefined;
    if (!('mount' in routed) || !surface?.upgrade) {
      const r = await unrouted(req, { requestId, started, clientIp: clientIp(req) }, 'mount' in routed ? { code: 'bad_request', detail: 'this resource does not take upgrades' } : routed);
      return refuseUpgrade(socket, requestId, r);
    }
    try {
      await surface.upgrade({ req, requestId, started, clientIp: clientIp(req), mount: routed.mount, path: routed.path, query: routed.query, socket, head });
    } catch (err) {
      deps.log.error({ err: errorMessage(err), request_id: requestId }, 'data-plane upgrade failed');
      socket.destroy();
    }
  }

  const upgrades = [...deps.resources.values()].some((m) => m.surface.upgrade);
  return { handle, upgrade: upgrades ? upgrade : undefined };
}

const PROTECTED_RESOURCE = '/.well-known/oauth-protected-resource/';

/**
 * RFC 9728 puts a resource's metadata at `/.well-known/oauth-protected-resource/<name>`; the
 * resource's own surface answers it, as `/<name>/.well-known/oauth-protected-resource`.
 */
function wellKnownRoute(url: string): string {
  if (!url.startsWith(PROTECTED_RESOURCE)) return url;
  const rest = url.slice(PROTECTED_RESOURCE.length);
  const end = rest.search(/[/?]/);
  return `/${end === -1 ? rest : rest.slice(0, end)}${PROTECTED_RESOURCE.slice(0, -1)}`;
}

/** An HTTP/1.1 problem answer written on the raw socket of an upgrade that is not taken. */
export function refuseUpgrade(socket: Duplex, requestId: string, r: Refusal): void {
  const body = JSON.stringify({ type: `urn:airlock:problem:${r.code}`, status: statusOf(r.code), detail: r.detail, code: r.code, request_id: requestId });
  const headers = { ...refusalChallenge(r), ...r.headers };
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${statusOf(r.code)} ${r.code}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `airlock-request-id: ${requestId}\r\nconnection: close\r\n${extra}\r\n${body}`,
  );
}
