// An MCP server behind Streamable HTTP. Each decided message is POSTed as the agent sent it (an
// approval id aside), with the agent's `Mcp-Session-Id`, `MCP-Protocol-Version` and `Accept`,
// never its credential (headers.ts rules, `inject` added). The answer comes back as JSON or as an
// SSE stream: the server's own notifications and requests on it pass through event by event, and
// the response to the watched request goes through its hook first (a list is filtered). A watched
// answer that cannot be read is not passed on unread: the agent gets an error instead. When the
// server fails mid-stream, the agent still gets an answer to its call: a JSON-RPC error event. An
// agent that leaves stops the upstream request.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { Pool, errors } from 'undici';
import { AirlockError } from '../../../lib/errors.js';
import { SseParser } from '../../../lib/sse.js';
import type { Exchange } from '../../../pipeline/surface.js';
import { clientResponseHeaders, normalizeInject, upstreamRequestHeaders } from '../../http/headers.js';
import type { McpResourceConfig } from '../config.js';
import type { JsonRpcId } from '../json-rpc.js';
import { failedAnswer, responseTo, settleAnswer, sseEvent, writeTo, type Watch } from './answer-writer.js';
import type { Delivered, Delivery, McpTransport } from './transport.js';

type Answer = Awaited<ReturnType<Pool['request']>>;

export function httpTransport(config: McpResourceConfig, maxMessageBytes: number): McpTransport {
  const url = new URL(config.upstream!);
  const path = `${url.pathname}${url.search}`;
  const inject = normalizeInject(config.inject.headers);
  const streams = new Set<ServerResponse>();
  const pool = new Pool(url.origin, {
    connections: 128,
    keepAliveTimeout: 30_000,
    connectTimeout: config.timeouts.connect_ms,
    headersTimeout: config.timeouts.response_ms,
    bodyTimeout: config.timeouts.response_ms,
  });

  /** Sends one request upstream; the answer is aborted when the agent leaves. */
  async function send(ex: Exchange, method: string, body: Buffer | undefined, headers = ex.req.headers): Promise<{ answer: Answer; gone: AbortSignal } | 'client_closed'> {
    const gone = new AbortController();
    const onClose = () => {
      if (!ex.res.writableFinished) gone.abort();
    };
    ex.res.once('close', onClose);
    if (ex.res.destroyed) return 'client_closed';
    try {
      const answer = await pool.request({ path, method, headers: upstreamRequestHeaders(headers, inject, ex.clientIp, body?.length ?? 0), body: body?.length ? body : null, signal: gone.signal });
      return { answer, gone: gone.signal };
    } catch (err) {
      if (gone.signal.aborted) return 'client_closed';
      throw upstreamError(err);
    }
  }

  return {
    async deliver(d) {
      const sent = await send(d.ex, 'POST', d.body);
      if (sent === 'client_closed') return { status: 0, bytes: 0, error: 'client_closed' };
      const { answer } = sent;
      const session = header(answer.headers, 'mcp-session-id');
      const base = session ? { session } : {};
      const type = header(answer.headers, 'content-type') ?? '';
      if (!d.watch || answer.statusCode < 200 || answer.statusCode >= 300) return { ...base, ...(await relay(d.ex, answer)) };
      if (/^application\/json/i.test(type)) return { ...base, ...(await jsonAnswer(d.ex, answer, d.watch, maxMessageBytes)) };
      if (/^text\/event-stream/i.test(type)) return { ...base, ...(await sseAnswer(d.ex, answer, d.watch, maxMessageBytes)) };
      await answer.body.dump().catch(() => undefined);
      return { ...base, ...fail(d.ex, d.watch.id, 'bad_upstream_answer', `the server answered with content type "${type}"`) };
    },
    async stream(ex) {
      const sent = await send(ex, 'GET', undefined);
      if (sent === 'client_closed') return { status: 0, bytes: 0, error: 'client_closed' };
      streams.add(ex.res);
      try {
        return await relay(ex, sent.answer);
      } finally {
        streams.delete(ex.res);
      }
    },
    async terminate(ex) {
      const sent = await send(ex, 'DELETE', undefined);
      return sent === 'client_closed' ? { status: 0, bytes: 0, error: 'client_closed' } : relay(ex, sent.answer);
    },
    cancel(session, id, reason) {
      const body = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } });
      const headers: IncomingHttpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(session ? { 'mcp-session-id': session } : {}) };
      pool
        .request({ path, method: 'POST', headers: { ...headers, ...Object.fromEntries(inject), 'content-length': String(Buffer.byteLength(body)) }, body })
        .then((r) => r.body.dump())
        .catch(() => undefined);
    },
    endStreams() {
      for (const res of streams) res.end();
    },
    // Called after the listeners drained: whatever is still open upstream has no agent any more.
    close: () => pool.destroy(),
  };
}

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function headersFor(ex: Exchange, upstream: IncomingHttpHeaders, rewritten: boolean) {
  const out = clientResponseHeaders(upstream);
  if (rewritten) delete out['content-length'];
  out['airlock-request-id'] = ex.requestId;
  return out;
}

/** Any other answer: passed through as it comes. */
async function relay(ex: Exchange, answer: Answer): Promise<Delivered> {
  ex.res.writeHead(answer.statusCode, headersFor(ex, answer.headers, false));
  let bytes = 0;
  try {
    for await (const chunk of answer.body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (!(await writeTo(ex.res, chunk))) {
        answer.body.destroy();
        return { status: answer.statusCode, bytes, error: 'client_closed' };
      }
    }
  } catch (err) {
    const left = ex.res.destroyed || ex.res.writableEnded;
    ex.res.destroy();
    return { status: answer.statusCode, bytes, error: left ? 'client_closed' : upstreamError(err).code };
  }
  ex.res.end();
  return { status: answer.statusCode, bytes };
}

async function jsonAnswer(ex: Exchange, answer: Answer, watch: Watch, limit: number): Promise<Delivered> {
  let text: string;
  try {
    text = await readLimited(answer, limit);
  } catch (err) {
    return fail(ex, watch.id, err instanceof RangeError ? 'answer_too_large' : upstreamError(err).code, err instanceof RangeError ? `the server's answer exceeds ${limit} bytes` : 'the server failed while answering');
  }
  const response = responseTo(text, watch.id);
  if (!response) return fail(ex, watch.id, 'bad_upstream_answer', "the server's answer is not a response to this request");
  const { text: out, facts } = await settleAnswer(watch, response);
  const body = Buffer.from(out, 'utf8');
  const headers = headersFor(ex, answer.headers, true);
  headers['content-length'] = String(body.length);
  ex.res.writeHead(answer.statusCode, headers);
  ex.res.end(body);
  return { status: answer.statusCode, bytes: body.length, facts };
}

async function sseAnswer(ex: Exchange, answer: Answer, watch: Watch, limit: number): Promise<Delivered> {
  ex.res.writeHead(answer.statusCode, headersFor(ex, answer.headers, true));
  const parser = new SseParser(limit);
  let bytes = 0;
  let facts: Delivered['facts'];
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    return writeTo(ex.res, text);
  };
  try {
    for await (const chunk of answer.body as AsyncIterable<Buffer>) {
      for (const ev of parser.push(chunk)) {
        const response = facts === undefined ? responseTo(ev.data, watch.id) : undefined;
        let text = sseEvent(ev.data, ev);
        if (response) {
          const settled = await settleAnswer(watch, response);
          text = sseEvent(settled.text, ev);
          facts = settled.facts;
        }
        if (!(await write(text))) {
          answer.body.destroy();
          return { status: answer.statusCode, bytes, error: 'client_closed', ...(facts ? { facts } : {}) };
        }
      }
    }
  } catch (err) {
    // The stream broke (the server died, or sent an event past the limit): the call still gets its answer.
    if (ex.res.destroyed) return { status: answer.statusCode, bytes, error: 'client_closed', ...(facts ? { facts } : {}) };
    const code = err instanceof RangeError ? 'answer_too_large' : upstreamError(err).code;
    if (facts === undefined) await write(sseEvent(failedAnswer(watch.id, code, 'the server failed before answering', ex.requestId)));
    ex.res.end();
    return { status: answer.statusCode, bytes, error: code, ...(facts ? { facts } : {}) };
  }
  if (facts === undefined) {
    await write(sseEvent(failedAnswer(watch.id, 'upstream_unavailable', 'the server ended its stream without answering', ex.requestId)));
    ex.res.end();
    return { status: answer.statusCode, bytes, error: 'no_answer' };
  }
  ex.res.end();
  return { status: answer.statusCode, bytes, facts };
}

function fail(ex: Exchange, id: JsonRpcId, code: string, detail: string): Delivered {
  const body = failedAnswer(id, code, detail, ex.requestId);
  if (ex.res.headersSent) ex.res.destroy();
  else ex.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'airlock-request-id': ex.requestId }).end(body);
  return { status: 200, bytes: Buffer.byteLength(body), error: code };
}

async function readLimited(answer: Answer, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of answer.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      answer.body.destroy();
      throw new RangeError('too large');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function upstreamError(err: unknown): AirlockError & { code: 'upstream_unavailable' | 'upstream_timeout' } {
  const timedOut = err instanceof errors.ConnectTimeoutError || err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError;
  return (timedOut
    ? new AirlockError('upstream_timeout', 'the MCP server did not answer in time')
    : new AirlockError('upstream_unavailable', 'the MCP server could not be reached')) as AirlockError & { code: 'upstream_unavailable' | 'upstream_timeout' };
}

