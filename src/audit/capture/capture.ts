// Audit stage, body capture: what of a request body enters the audit record.
// Promises: `none` and an empty body give nothing; `digest` gives the SHA-256 of the raw bytes and
// nothing else; `full` gives the body with configured JSON paths, configured patterns and every
// built-in secret shape redacted, then cut to max_bytes, and says what was redacted. When a `full`
// capture cannot be done safely, the result falls back to the digest: content is never guessed at.

import { sha256Hex } from '../../lib/sha256.js';
import { parseJsonPath, redactJsonPath, type PathSegment } from './json-path.js';
import { createTextRedactor, redactJsonValues, type Applied, type TextRedactor } from './redact-values.js';
import type { CaptureConfig, CaptureRule } from './schema.js';

export type CapturedBody =
  | { readonly sha256: string }
  | {
      readonly sha256: string;
      /** Parsed JSON, or text for a body that is not JSON or was cut. */
      readonly body: unknown;
      /** JSON paths and patterns that removed something, and `secret:<rule>` for built-in rules. */
      readonly redacted: readonly string[];
      readonly truncated?: boolean;
    };

/** `sha256`: the body's digest when the caller already has it (the pipeline hashes each body once). */
export type Capture = (resourceType: string, body: Buffer, contentType?: string, sha256?: string) => CapturedBody | undefined;

interface CompiledRule {
  readonly rule: CaptureRule;
  readonly paths: readonly { readonly source: string; readonly segments: readonly PathSegment[] }[];
  readonly redactText: TextRedactor;
}

export function createCapture(config: CaptureConfig): Capture {
  const fallback = compile(config.default);
  // A Map, so a resource type called `constructor` or `__proto__` finds nothing but the default.
  const rules = new Map<string, CompiledRule>([['openai', compile(config.openai)]]);
  if (config.http) rules.set('http', compile(config.http));
  if (config.mcp) rules.set('mcp', compile(config.mcp));

  return (resourceType, body, contentType, digest) => {
    const compiled = rules.get(resourceType) ?? fallback;
    if (compiled.rule.mode === 'none' || body.length === 0) return undefined;
    const sha256 = digest ?? sha256Hex(body);
    if (compiled.rule.mode === 'digest') return { sha256 };
    try {
      const full = captureFull(compiled, body, contentType);
      return full ? { sha256, ...full } : { sha256 };
    } catch {
      // Deeply nested JSON can exhaust the stack while redacting; a digest is still true evidence.
      return { sha256 };
    }
  };
}

function compile(rule: CaptureRule): CompiledRule {
  return {
    rule,
    paths: rule.redact.json_paths.map((source) => ({ source, segments: parseJsonPath(source) })),
    redactText: createTextRedactor(rule.redact.patterns),
  };
}

const NOT_JSON = Symbol('not json');

function captureFull(c: CompiledRule, body: Buffer, contentType: string | undefined) {
  const text = body.toString('utf8').replace(/^\uFEFF/, '');
  const applied: Applied = new Set();
  const parsed = looksLikeJson(text, contentType) ? parseJson(text) : NOT_JSON;
  if (parsed === NOT_JSON) {
    // JSON we cannot parse cannot have its path rules applied; storing it as text would store
    // exactly the fields the operator asked to keep out.
    if (looksLikeJson(text, contentType) && c.paths.length > 0) return undefined;
    return withLimit(c.redactText(text, applied), applied, c.rule.max_bytes);
  }
  let doc = parsed;
  for (const path of c.paths) {
    const result = redactJsonPath(doc, path.segments);
    doc = result.doc;
    if (result.hit) applied.add(path.source);
  }
  doc = redactJsonValues(doc, c.redactText, applied);
  const serialized = JSON.stringify(doc);
  // An oversized document is kept as its (already redacted) serialized text, cut to the limit.
  if (Buffer.byteLength(serialized, 'utf8') > c.rule.max_bytes) return withLimit(serialized, applied, c.rule.max_bytes);
  return { body: doc, redacted: [...applied] };
}

// A client cannot dodge path rules by mislabelling JSON: a body that opens like JSON is parsed.
function looksLikeJson(text: string, contentType: string | undefined): boolean {
  if (contentType && /^\s*application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i.test(contentType)) return true;
  return /^\s*[{[]/.test(text);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

// Redaction runs before the cut, so the cut can never leave half a secret that no rule recognises.
function withLimit(text: string, applied: Applied, maxBytes: number) {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { body: text, redacted: [...applied] };
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // do not split a UTF-8 sequence
  return { body: bytes.subarray(0, end).toString('utf8'), redacted: [...applied], truncated: true as const };
}
