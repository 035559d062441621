// The stdio bridge of `airlock mcp connect`: an agent that can only start MCP servers as commands
// (Claude Desktop, IDEs) runs this, and it speaks newline-delimited JSON-RPC on stdin/stdout to the
// agent and Streamable HTTP to the gateway. Each message is one POST; answers come back as JSON or
// SSE, each message a line. The session the initialize answer opens is used for every later
// message and for the GET stream of server-initiated messages, which is kept open (reopened after
// a break) until stdin ends; then the session is ended with DELETE. Messages are posted as they
// come (a sampling answer must not wait behind the tool call that asked for it), but only once the
// initialize answer, and with it the session, is there.
import { createInterface } from 'node:readline';
import { SseParser } from '../lib/sse.js';

export interface BridgeOptions {
  readonly endpoint: string;
  readonly token: string;
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  readonly log: (line: string) => void;
}

const MAX_EVENT_BYTES = 64 * 1024 * 1024;

export async function runBridge(opts: BridgeOptions): Promise<number> {
  let session: string | undefined;
  let protocol: string | undefined;
  let initialized: Promise<void> = Promise.resolve();
  let ending = false;
  const streamAbort = new AbortController();
  const inflight = new Set<Promise<void>>();

  const emit = (message: string): void => void opts.output.write(`${message}\n`);
  const headers = (): Record<string, string> => ({
    authorization: `Bearer ${opts.token}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...(session ? { 'mcp-session-id': session } : {}),
    ...(protocol ? { 'mcp-protocol-version': protocol } : {}),
  });

  async function post(line: string): Promise<void> {
    let id: unknown;
    let method: unknown;
    try {
      ({ id, method } = JSON.parse(line) as { id?: unknown; method?: unknown });
    } catch {
      return emit(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'the message is not JSON' } }));
    }
    const isInit = method === 'initialize';
    if (!isInit) await initialized;
    let res: Response;
    try {
      res = await fetch(opts.endpoint, { method: 'POST', headers: headers(), body: line });
    } catch {
      if (id !== undefined) emit(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32603, message: `cannot reach ${opts.endpoint}` } }));
      return;
    }
    if (isInit) session = res.headers.get('mcp-session-id') ?? session;
    const type = res.headers.get('content-type') ?? '';
    if (type.startsWith('text/event-stream') && res.body) return relayEvents(res.body, (data) => answered(data, isInit));
    const text = await res.text();
    if (/json/.test(type) && text && isJsonRpc(text)) return answered(text, isInit);
    if (id !== undefined && res.status !== 202) emit(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32603, message: `the gateway answered ${res.status}: ${text.slice(0, 200)}` } }));
  }

  function answered(data: string, isInit: boolean): void {
    if (isInit) {
      try {
        protocol = (JSON.parse(data) as { result?: { protocolVersion?: string } }).result?.protocolVersion ?? protocol;
      } catch {
        // not ours to judge: the agent reads it
      }
    }
    emit(data);
  }

  async function relayEvents(body: ReadableStream<Uint8Array>, onData: (data: string) => void): Promise<void> {
    const parser = new SseParser(MAX_EVENT_BYTES);
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      for (const ev of parser.push(Buffer.from(chunk))) if (ev.data) onData(ev.data);
    }
  }

  /** The GET stream, reopened with backoff while the agent is connected; a 405 means the server has none. */
  async function listen(): Promise<void> {
    let delay = 500;
    while (!ending && session) {
      try {
        const res = await fetch(opts.endpoint, { method: 'GET', headers: { ...headers(), accept: 'text/event-stream' }, signal: streamAbort.signal });
        if (res.status === 405) return;
        if (res.ok && res.body) {
          delay = 500;
          await relayEvents(res.body, emit);
        } else opts.log(`the event stream answered ${res.status}`);
      } catch {
        if (ending) return;
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  }

  const lines = createInterface({ input: opts.input, crlfDelay: Infinity });
  let listening: Promise<void> | undefined;
  for await (const line of lines) {
    if (!line.trim()) continue;
    const isInit = /"method"\s*:\s*"initialize"/.test(line);
    const p = post(line).catch((err: unknown) => opts.log(String(err)));
    if (isInit) {
      initialized = p.then(() => {
        listening ??= listen();
      });
    }
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  }
  await Promise.allSettled([...inflight]);
  ending = true;
  streamAbort.abort();
  if (session) await fetch(opts.endpoint, { method: 'DELETE', headers: headers() }).then((r) => r.body?.cancel(), () => undefined);
  await listening?.catch(() => undefined);
  return 0;
}

function isJsonRpc(text: string): boolean {
  try {
    const v = JSON.parse(text) as { jsonrpc?: unknown };
    return v.jsonrpc === '2.0';
  } catch {
    return false;
  }
}
