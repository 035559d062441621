// The surface of `mcp` resources: agents use `http://<listen>/<name>` exactly as they would the
// server, over MCP's Streamable HTTP (POST of one JSON-RPC message, JSON or SSE answers,
// `Mcp-Session-Id`, the GET stream, DELETE). POST is the request story of post.ts; GET and DELETE
// are session plumbing, decided as `mcp.connect` like the rest of it. The server is reached over
// Streamable HTTP (`upstream`) or is a stdio child the gateway runs (`command`).
import path from 'node:path';
import type { Principal } from '../../model/principal.js';
import type { Exchange, SurfaceFactory } from '../../pipeline/surface.js';
import { AirlockError, type ErrorCode } from '../../lib/errors.js';
import { connect } from './classify.js';
import type { McpResourceConfig } from './config.js';
import { bearerChallengeFor, METADATA_PATH, resourceUrl, sendMetadata } from './oauth-metadata.js';
import { handlePost, identifyOrChallenge, refuseEarly, sessionOf, type McpDeps } from './post.js';
import { sendRpcRefusal } from './render.js';
import { SessionOwners, sessionDigest } from './session-owners.js';
import { stdioTransport } from './stdio/transport.js';
import { httpTransport } from './upstream/http-upstream.js';
import type { McpTransport } from './upstream/transport.js';

export const mcpSurface: SurfaceFactory<McpResourceConfig> = (config, ctx) => {
  if (!ctx.mcp) throw new AirlockError('config_invalid', `resources: "${config.name}": mcp resources need the gateway's tool pins`);
  const { pins, issuers } = ctx.mcp;
  const transport: McpTransport = config.upstream ? httpTransport(config, ctx.maxBodyBytes) : stdioTransport(config, { log: ctx.log, maxMessageBytes: ctx.maxBodyBytes, cwd: path.resolve(ctx.mcp.baseDir, config.cwd ?? '.') });
  const deps: McpDeps = {
    name: config.name,
    stages: ctx.stages,
    pins,
    transport,
    owners: new SessionOwners(),
    maxBodyBytes: ctx.maxBodyBytes,
    challenge: (ex, error) => bearerChallengeFor(resourceUrl(config.name, config.public_url, ex.req), error),
  };

  /** GET (the stream) and DELETE (the end of a session): decided as `mcp.connect`. */
  async function plumbing(ex: Exchange, kind: 'stream' | 'terminate'): Promise<void> {
    const principal: Principal | undefined = await identifyOrChallenge(deps, ex);
    if (!principal) return;
    ex.req.resume();
    const session = sessionOf(ex);
    if (session && !deps.owners.mayUse(session, principal)) return refuseEarly(deps, ex, undefined, { code: 'not_found', detail: 'no such session', principal });
    const call = connect(config.name, kind);
    const verdict = await ctx.stages.authorize(ex, {
      principal, request: call.request, method: ex.req.method ?? 'GET', path: ex.path, bound: call.bound, presentedApproval: undefined, body: undefined,
      fields: { mcp_method: kind, session: sessionDigest(session) },
    });
    if (!verdict.allowed) return void sendRpcRefusal(ex.res, ex.requestId, undefined, verdict.refusal);
    const upstreamStarted = performance.now();
    try {
      const out = kind === 'stream' ? await transport.stream(ex, session) : await transport.terminate(ex, session);
      if (kind === 'terminate' && session) deps.owners.forget(session);
      ctx.stages.outcome(ex, { status: out.status, bytes: out.bytes, error: out.error, upstreamStarted });
    } catch (err) {
      const code: ErrorCode = err instanceof AirlockError ? err.code : 'upstream_unavailable';
      const status = sendRpcRefusal(ex.res, ex.requestId, undefined, { code, detail: err instanceof AirlockError ? err.message : 'the MCP server could not be reached' });
      ctx.stages.outcome(ex, { status, bytes: 0, error: code, upstreamStarted });
    }
  }

  return {
    async handle(ex) {
      const method = ex.req.method ?? 'GET';
      if (ex.path === METADATA_PATH && (method === 'GET' || method === 'HEAD')) {
        ex.req.resume();
        return sendMetadata(ex.res, resourceUrl(config.name, config.public_url, ex.req), config.name, issuers, ex.requestId);
      }
      if (ex.path !== '/') {
        ex.req.resume();
        const principal = await identifyOrChallenge(deps, ex);
        if (principal) await refuseEarly(deps, ex, undefined, { code: 'not_found', detail: `the MCP endpoint is /${config.name}`, principal });
        return;
      }
      if (method === 'POST') return handlePost(deps, ex);
      if (method === 'GET') return plumbing(ex, 'stream');
      if (method === 'DELETE') return plumbing(ex, 'terminate');
      ex.req.resume();
      const principal = await identifyOrChallenge(deps, ex);
      if (principal) await refuseEarly(deps, ex, undefined, { code: 'bad_request', detail: 'an MCP endpoint takes POST, GET and DELETE', principal });
    },
    drain: () => transport.endStreams(),
    close: () => transport.close(),
  };
};
