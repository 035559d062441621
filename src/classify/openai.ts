// Classifier for OpenAI-compatible model servers (OpenAI, vLLM, Ollama, TGI). Inference calls
// name their model in the JSON body, so the body is parsed here; a body that cannot be read is
// refused rather than guessed at. Paths that are neither inference nor listing fall back to the
// http.* actions on an Endpoint, which no model policy permits by accident.
//
// The context must say what the server will do, and servers read loosely: pydantic-based ones
// (vLLM, LiteLLM) take `"stream": 1` or `"stream": "true"` as a stream, and vLLM prefers
// `max_completion_tokens` over `max_tokens` when both are set. So `stream` must be a boolean, and
// `context.max_tokens` is the largest limit the body sets, whichever field the server reads.
import { AirlockError } from '../lib/errors.js';
import { parseJsonBody } from '../lib/strict-json.js';
import type { ActionRequest } from '../model/action-request.js';
import type { CedarRecord } from '../model/entity.js';
import { classifyHttp } from './http.js';
import type { Classifier, HttpRequestFacts } from './types.js';

/**
 * A model name is a caller's string that enters the context, the resource id and so the record
 * twice: bounded, so a 1 MB name cannot make a 2 MB record. Real names (Hugging Face ids, Ollama
 * tags, deployment names) stay well under it.
 */
const MAX_MODEL_LENGTH = 256;

const INVOKE_PATHS = new Set(['/chat/completions', '/completions', '/embeddings', '/responses']);
const TOKEN_LIMIT_FIELDS = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'] as const;

/** `/v1/chat/completions` and `/chat/completions` are the same endpoint. */
function apiPath(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
  const p = end === path.length ? path : path.slice(0, end);
  return p.startsWith('/v1/') ? p.slice(3) : p;
}

function parseBody(body: Buffer): Record<string, unknown> {
  const value = parseJsonBody(body);
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new AirlockError('bad_request', 'request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function invokeContext(body: Record<string, unknown>): CedarRecord {
  const model = body.model;
  if (typeof model !== 'string' || model === '') {
    throw new AirlockError('bad_request', 'request body must name a "model" (a non-empty string)');
  }
  checkModelLength(model);
  const stream = body.stream;
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') {
    throw new AirlockError('bad_request', '"stream" must be true or false');
  }
  const context: CedarRecord = { model, stream: stream === true };
  for (const field of TOKEN_LIMIT_FIELDS) {
    const v = body[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new AirlockError('bad_request', `"${field}" must be a non-negative integer`);
    }
    if (context.max_tokens === undefined || v > (context.max_tokens as number)) context.max_tokens = v;
  }
  return context;
}

function checkModelLength(model: string): void {
  if (model.length > MAX_MODEL_LENGTH) throw new AirlockError('bad_request', `"model" must be at most ${MAX_MODEL_LENGTH} characters`);
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new AirlockError('bad_request', 'malformed percent-encoding in the path');
  }
}

export const classifyOpenAi: Classifier = (facts: HttpRequestFacts): ActionRequest => {
  const p = apiPath(facts.path);
  if (facts.method === 'POST' && INVOKE_PATHS.has(p)) {
    const context = invokeContext(parseBody(facts.body));
    return {
      action: 'model.invoke',
      resource: { type: 'Model', id: `${facts.resourceName}/${context.model as string}` },
      resourceName: facts.resourceName,
      context,
    };
  }
  if ((facts.method === 'GET' || facts.method === 'HEAD') && (p === '/models' || p.startsWith('/models/'))) {
    const model = p === '/models' ? undefined : decodeSegment(p.slice('/models/'.length));
    if (model !== undefined) checkModelLength(model);
    return {
      action: 'model.list',
      resource: model
        ? { type: 'Model', id: `${facts.resourceName}/${model}` }
        : { type: 'Resource', id: facts.resourceName },
      resourceName: facts.resourceName,
      context: model ? { model } : {},
    };
  }
  return classifyHttp(facts);
};
