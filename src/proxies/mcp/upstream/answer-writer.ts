// Writing an answer to the agent, for either transport: with the agent's backpressure, counting
// bytes, and recognising the response to the watched request among a stream's messages so its
// hook can filter or digest it.
import type { ServerResponse } from 'node:http';
import { formatSseEvent, type SseEvent } from '../../../lib/sse.js';
import type { AnswerFacts, AnswerHook } from '../answers.js';
import { errorJson, INTERNAL_ERROR, type JsonRpcId } from '../json-rpc.js';

export const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } as const;

/** Writes, and waits for the agent to take the data if its buffer is full; false once it left. */
export function writeTo(res: ServerResponse, chunk: string | Buffer): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

export interface Watch {
  readonly id: JsonRpcId;
  readonly hook: AnswerHook;
}

/** The parsed message when `text` is the JSON-RPC response to `id`. */
export function responseTo(text: string, id: JsonRpcId): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const msg = value as Record<string, unknown>;
  if (msg['id'] !== id || 'method' in msg || !('result' in msg || 'error' in msg)) return undefined;
  return msg;
}

/** The JSON-RPC error an agent gets when its call cannot be answered by the server. */
export function failedAnswer(id: JsonRpcId, code: string, detail: string, requestId: string): string {
  return errorJson(id, INTERNAL_ERROR, detail, { code, request_id: requestId });
}

/** Runs the hook on the watched response and gives the text to send, with its facts. */
export async function settleAnswer(watch: Watch, response: Record<string, unknown>): Promise<{ text: string; facts: AnswerFacts }> {
  const { response: out, facts } = await watch.hook(response);
  return { text: JSON.stringify(out), facts };
}

export function sseEvent(data: string, from?: SseEvent): string {
  return formatSseEvent({ ...from, data });
}
