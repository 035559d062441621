// One agent session with a stdio MCP server, presented as Streamable HTTP. A stdio server is
// written for exactly one client: its initialize handshake, subscriptions and roots belong to that
// connection. So each session gets its own child process, and the session id (made here, random)
// is the child. A shared child would mix the server-initiated messages of several agents and let
// one agent's state leak into another's.
//
// Messages from the child find their agent this way: the response to a request answers that
// request's POST (as JSON, or as the last event of an SSE stream once anything else was sent on
// it); a progress notification goes to the request whose progressToken it names; other server
// requests (sampling, elicitation) and notifications go to the session's GET stream, else to the
// most recent open request's stream, else wait (up to BACKLOG) for a GET stream to open.
//
// When the child dies, every open call gets a JSON-RPC error (`server_exited`), and the child is
// restarted with backoff; the agent's initialize and `notifications/initialized` are replayed to it,
// so the session goes on (the server's own state is new). A child that keeps dying ends the session.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { AirlockError } from '../../../lib/errors.js';
import type { Logger } from '../../../lib/logger.js';
import { formatSseEvent } from '../../../lib/sse.js';
import type { Exchange } from '../../../pipeline/surface.js';
import type { McpResourceConfig } from '../config.js';
import { idKey, type JsonRpcId } from '../json-rpc.js';
import { sessionDigest } from '../session-owners.js';
import { failedAnswer, settleAnswer, SSE_HEADERS, type Watch } from '../upstream/answer-writer.js';
import type { Delivered, Delivery } from '../upstream/transport.js';
import { StdioChild } from './child.js';

const BACKLOG = 1000;
const MAX_FAILURES = 6;
const STABLE_MS = 30_000;
const REPLAY_TIMEOUT_MS = 30_000;

export interface SessionOptions {
  readonly config: McpResourceConfig;
  readonly log: Logger;
  readonly maxMessageBytes: number;
  readonly cwd: string;
  readonly onClosed: (session: StdioSession) => void;
}

interface Pending {
  readonly ex: Exchange;
  readonly key: string;
  readonly watch: Watch;
  readonly progressToken: unknown;
  sse: boolean;
  bytes: number;
  done: boolean;
  timer?: NodeJS.Timeout;
  readonly resolve: (d: Delivered) => void;
}

export class StdioSession {
  readonly id = randomUUID();
  lastActive = Date.now();
  private child: StdioChild;
  private readonly pending = new Map<string, Pending>();
  private readonly internal = new Map<string, () => void>();
  private stream: ServerResponse | undefined;
  private backlog: string[] = [];
  private initMessage: Record<string, unknown> | undefined;
  private initializedNote: string | undefined;
  private failures = 0;
  private replays = 0;
  private restarting: Promise<void> | undefined;
  closed = false;

  constructor(private readonly opts: SessionOptions) {
    this.child = this.spawn();
  }

  get busy(): boolean {
    return this.pending.size > 0 || (this.stream !== undefined && !this.stream.destroyed);
  }

  async deliver(d: Delivery): Promise<Delivered> {
    this.lastActive = Date.now();
    await this.restarting;
    if (this.closed) throw new AirlockError('not_found', 'the session has ended');
    const text = d.body.toString('utf8');
    const m = d.message;
    if (m.kind === 'request' && m.method === 'initialize') this.initMessage = JSON.parse(text) as Record<string, unknown>;
    if (m.kind === 'notification' && m.method === 'notifications/initialized') this.initializedNote = text;
    if (!d.watch) {
      if (!this.child.send(text)) throw new AirlockError('upstream_unavailable', 'the MCP server is not running');
      d.ex.res.writeHead(202, this.headers(d.ex)).end();
      return { status: 202, bytes: 0 };
    }
    const key = idKey(d.watch.id);
    if (this.pending.has(key)) throw new AirlockError('bad_request', 'a request with this id is already in flight');
    const meta = m.kind === 'request' ? (m.params?.['_meta'] as Record<string, unknown> | undefined) : undefined;
    return new Promise((resolve) => {
      const p: Pending = { ex: d.ex, key, watch: d.watch!, progressToken: meta?.['progressToken'], sse: false, bytes: 0, done: false, resolve };
      this.pending.set(key, p);
      d.ex.res.once('close', () => this.finish(p, { status: 0, bytes: p.bytes, error: 'client_closed' }));
      p.timer = setTimeout(() => this.fail(p, 'upstream_timeout', 'the MCP server did not answer in time'), this.opts.config.timeouts.response_ms);
      if (!this.child.send(text)) this.fail(p, 'upstream_unavailable', 'the MCP server is not running');
    });
  }

  /** The GET stream: server-to-client messages not tied to a request. The latest stream wins. */
  openStream(ex: Exchange): Promise<Delivered> {
    this.lastActive = Date.now();
    if (this.closed) throw new AirlockError('not_found', 'the session has ended');
    this.stream?.end();
    this.stream = ex.res;
    ex.res.writeHead(200, { ...SSE_HEADERS, ...this.headers(ex) });
    ex.res.flushHeaders();
    let bytes = 0;
    for (const text of this.backlog.splice(0)) bytes += this.write(ex.res, text);
    return new Promise((resolve) =>
      ex.res.once('close', () => {
        if (this.stream === ex.res) this.stream = undefined;
        resolve({ status: 200, bytes });
      }),
    );
  }

  endStream(): void {
    this.stream?.end();
    this.stream = undefined;
  }

  cancel(id: JsonRpcId, reason: string): void {
    this.child.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } }));
  }

  async close(why: string): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of [...this.pending.values()]) this.fail(p, 'session_closed', why);
    this.endStream();
    this.opts.onClosed(this);
    await this.child.stop();
  }

  private headers(ex: Exchange): Record<string, string> {
    return { 'airlock-request-id': ex.requestId, 'mcp-session-id': this.id };
  }

  private spawn(): StdioChild {
    const { config, log, maxMessageBytes } = this.opts;
    const child: StdioChild = new StdioChild({
      command: config.command!,
      env: config.env,
      cwd: this.opts.cwd,
      maxLineBytes: maxMessageBytes,
      log: log.child({ resource: config.name, session: sessionDigest(this.id) }),
      onLine: (line) => this.fromServer(line),
      onExit: (why) => this.exited(child, why),
    });
    return child;
  }

  private exited(child: StdioChild, why: string): void {
    if (child !== this.child || this.closed) return;
    this.opts.log.warn({ resource: this.opts.config.name, session: sessionDigest(this.id), why }, 'MCP server exited');
    for (const p of [...this.pending.values()]) this.fail(p, 'server_exited', `the MCP server ${why}`);
    if (Date.now() - child.startedAt > STABLE_MS) this.failures = 0;
    if (!this.initMessage || ++this.failures > MAX_FAILURES) {
      void this.close(`the MCP server ${why}`);
      return;
    }
    this.restarting = this.restart().finally(() => (this.restarting = undefined));
  }

  private async restart(): Promise<void> {
    await new Promise((r) => setTimeout(r, Math.min(30_000, 250 * 2 ** (this.failures - 1))));
    if (this.closed) return;
    this.child = this.spawn();
    const id = `airlock-reinit-${++this.replays}`;
    const answered = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), REPLAY_TIMEOUT_MS);
      this.internal.set(id, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    this.child.send(JSON.stringify({ ...this.initMessage, id }));
    const ok = await answered;
    this.internal.delete(id);
    if (!ok) return void (await this.child.stop());
    if (this.initializedNote) this.child.send(this.initializedNote);
  }

  private fromServer(line: string): void {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.opts.log.warn({ resource: this.opts.config.name }, 'MCP server wrote a line that is not JSON');
      return;
    }
    for (const m of Array.isArray(value) ? value : [value]) {
      if (typeof m !== 'object' || m === null) continue;
      const msg = m as Record<string, unknown>;
      if (typeof msg['method'] === 'string') this.toAgent(msg, JSON.stringify(msg));
      else if (typeof msg['id'] === 'string' || typeof msg['id'] === 'number') this.answered(msg['id'], msg);
    }
  }

  private answered(id: JsonRpcId, msg: Record<string, unknown>): void {
    const internal = typeof id === 'string' ? this.internal.get(id) : undefined;
    if (internal) return internal();
    const p = this.pending.get(idKey(id));
    if (!p) return; // its agent left, or it timed out
    this.pending.delete(p.key);
    clearTimeout(p.timer);
    // A hook that fails (the pin store unreadable) answers the call with an error, never leaves it hanging.
    settleAnswer(p.watch, msg).then(
      ({ text, facts }) => {
        this.respond(p, text);
        this.finish(p, { status: 200, bytes: p.bytes, facts });
      },
      (err: unknown) => this.fail(p, err instanceof AirlockError ? err.code : 'internal', 'the answer could not be checked'),
    );
  }

  /** The call's answer, as an SSE event when its stream is open, else as its JSON body. */
  private respond(p: Pending, text: string): void {
    if (p.sse) {
      p.bytes += this.write(p.ex.res, text);
      p.ex.res.end();
    } else if (!p.ex.res.headersSent) {
      const body = Buffer.from(text);
      p.ex.res.writeHead(200, { ...this.headers(p.ex), 'content-type': 'application/json', 'content-length': body.length }).end(body);
      p.bytes += body.length;
    }
  }

  private toAgent(msg: Record<string, unknown>, text: string): void {
    const token = msg['method'] === 'notifications/progress' ? (msg['params'] as Record<string, unknown> | undefined)?.['progressToken'] : undefined;
    const open = [...this.pending.values()];
    let target = token === undefined ? undefined : open.find((p) => p.progressToken === token);
    if (!target && this.stream && !this.stream.destroyed) return void this.write(this.stream, text);
    target ??= open.at(-1);
    if (target) {
      if (!target.sse) {
        target.sse = true;
        target.ex.res.writeHead(200, { ...SSE_HEADERS, ...this.headers(target.ex) });
      }
      target.bytes += this.write(target.ex.res, text);
      return;
    }
    if (this.backlog.push(text) > BACKLOG) this.backlog.shift();
  }

  /** One SSE event; the child's output waits while the agent's buffer is full. */
  private write(res: ServerResponse, text: string): number {
    // Ended while the child was still talking (drain, a closed session): writing would throw.
    if (res.writableEnded || res.destroyed) return 0;
    const event = formatSseEvent({ data: text });
    if (!res.write(event) && !res.destroyed) {
      const child = this.child;
      child.pauseOutput();
      const resume = () => child.resumeOutput();
      res.once('drain', resume);
      res.once('close', resume);
    }
    return Buffer.byteLength(event);
  }

  private fail(p: Pending, code: string, detail: string): void {
    if (p.done) return;
    this.respond(p, failedAnswer(p.watch.id, code, detail, p.ex.requestId));
    this.finish(p, { status: 200, bytes: p.bytes, error: code });
  }

  private finish(p: Pending, d: Delivered): void {
    if (p.done) return;
    p.done = true;
    clearTimeout(p.timer);
    if (this.pending.get(p.key) === p) this.pending.delete(p.key);
    p.resolve(d);
  }
}
