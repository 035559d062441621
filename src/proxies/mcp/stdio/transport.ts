// stdio MCP servers as a transport: a session (and its child) per initialize, found again by the
// `Mcp-Session-Id` the gateway handed out. A message without a session id that is not an
// initialize, or with one the gateway does not know, is answered 400 or 404 as Streamable HTTP
// says (a 404 tells the agent to initialize again). Sessions idle for `session_idle_seconds` are
// ended, at most `max_sessions` live at once, and closing the surface (SIGTERM) stops every child.
import { AirlockError } from '../../../lib/errors.js';
import type { Logger } from '../../../lib/logger.js';
import type { McpResourceConfig } from '../config.js';
import type { McpTransport } from '../upstream/transport.js';
import { StdioSession } from './session.js';

/** `cwd`: the child's working directory, resolved against the config file's. */
export function stdioTransport(config: McpResourceConfig, opts: { log: Logger; maxMessageBytes: number; cwd: string }): McpTransport {
  const sessions = new Map<string, StdioSession>();
  const options = { config, log: opts.log, maxMessageBytes: opts.maxMessageBytes, cwd: opts.cwd, onClosed: (s: StdioSession) => sessions.delete(s.id) };
  const idleMs = config.session_idle_seconds * 1000;

  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const s of sessions.values()) if (!s.busy && now - s.lastActive > idleMs) void s.close('the session was idle');
  }, Math.min(30_000, idleMs));
  sweeper.unref();

  function find(session: string | undefined): StdioSession {
    if (!session) throw new AirlockError('bad_request', 'Mcp-Session-Id is required after initialize');
    const s = sessions.get(session);
    if (!s) throw new AirlockError('not_found', 'no such session');
    return s;
  }

  return {
    async deliver(d) {
      if (!(d.message.kind === 'request' && d.message.method === 'initialize' && !d.session)) return find(d.session).deliver(d);
      if (sessions.size >= config.max_sessions) throw new AirlockError('upstream_unavailable', `the MCP server has ${config.max_sessions} sessions already`);
      const session = new StdioSession(options);
      sessions.set(session.id, session);
      const out = await session.deliver(d);
      if (out.status !== 200 || out.error || out.facts?.['rpc_error'] !== undefined) {
        await session.close('initialize failed');
        return out;
      }
      return { ...out, session: session.id };
    },
    async stream(ex, session) {
      return find(session).openStream(ex);
    },
    async terminate(ex, session) {
      await find(session).close('the agent ended the session');
      ex.res.writeHead(200, { 'airlock-request-id': ex.requestId }).end();
      return { status: 200, bytes: 0 };
    },
    cancel(session, id, reason) {
      if (session) sessions.get(session)?.cancel(id, reason);
    },
    endStreams() {
      for (const s of sessions.values()) s.endStream();
    },
    async close() {
      clearInterval(sweeper);
      await Promise.all([...sessions.values()].map((s) => s.close('the gateway is stopping')));
    },
  };
}
