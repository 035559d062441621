// A small OpenAI-compatible model server for the quick start, the tests and the benchmarks. It
// speaks the real wire format (chat completions with and without server-sent-event streaming,
// completions, embeddings, model listing) and answers from canned text, so no model is needed.
// `/debug/echo` returns what arrived, so tests can see exactly what the gateway forwarded.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const DEMO_MODELS = ['gpt-4o-mini', 'gpt-4o', 'llama3.1-8b'];
const REPLY = 'Hello from the Airlock demo model.';

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function chatCompletion(model: string) {
  return {
    id: 'chatcmpl-demo',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: REPLY }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 5, completion_tokens: 8, total_tokens: 13 },
  };
}

async function streamChat(res: ServerResponse, model: string, delayMs: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const words = REPLY.split(' ');
  const chunk = (delta: object, finish: string | null) => ({
    id: 'chatcmpl-demo',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  });
  res.write(`data: ${JSON.stringify(chunk({ role: 'assistant', content: '' }, null))}\n\n`);
  for (const [i, w] of words.entries()) {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    res.write(`data: ${JSON.stringify(chunk({ content: (i ? ' ' : '') + w }, null))}\n\n`);
  }
  res.write(`data: ${JSON.stringify(chunk({}, 'stop'))}\n\n`);
  res.end('data: [DONE]\n\n');
}

async function handle(req: IncomingMessage, res: ServerResponse, streamDelayMs: number): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!.replace(/^\/v1/, '');
  if (path.startsWith('/debug/echo')) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return json(res, 200, { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
  }
  if (req.method === 'GET' && path === '/models') {
    return json(res, 200, { object: 'list', data: DEMO_MODELS.map((id) => ({ id, object: 'model', created: 0, owned_by: 'airlock-demo' })) });
  }
  if (req.method !== 'POST') return json(res, 404, { error: { message: 'not found', type: 'invalid_request_error' } });
  const body = await readJson(req);
  const model = String(body.model ?? 'unknown');
  if (path === '/chat/completions') {
    return body.stream === true ? streamChat(res, model, streamDelayMs) : json(res, 200, chatCompletion(model));
  }
  if (path === '/completions') {
    return json(res, 200, { id: 'cmpl-demo', object: 'text_completion', created: 0, model, choices: [{ index: 0, text: REPLY, finish_reason: 'stop', logprobs: null }] });
  }
  if (path === '/embeddings') {
    return json(res, 200, { object: 'list', model, data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }], usage: { prompt_tokens: 3, total_tokens: 3 } });
  }
  return json(res, 404, { error: { message: 'not found', type: 'invalid_request_error' } });
}

export async function startDemoUpstream(port = 0, host = '127.0.0.1', streamDelayMs = 0): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    handle(req, res, streamDelayMs).catch(() => json(res, 400, { error: { message: 'bad request', type: 'invalid_request_error' } }));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return { server, url: `http://${host}:${(server.address() as AddressInfo).port}` };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 9100);
  const { url } = await startDemoUpstream(port);
  process.stdout.write(`demo model server on ${url}\n`);
}
