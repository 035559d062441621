// Tool pinning: the digest that identifies one tool definition. It covers what an agent reads to
// decide how to use a tool: name, description, input and output schema, as canonical JSON (RFC
// 8785) under SHA-256, so key order or spacing never changes it and anyone can compute the digests
// for `pins.json` from a tools/list answer.
import { canonicalDigest } from '../../../lib/canonical-json.js';
import { LruCache } from '../../../lib/lru-cache.js';

export interface ToolDefinition {
  readonly name: string;
  readonly description?: unknown;
  readonly inputSchema?: unknown;
  readonly outputSchema?: unknown;
}

/** The part of a tools/list entry that is pinned. */
export function pinnedPart(tool: ToolDefinition): ToolDefinition {
  const { name, description, inputSchema, outputSchema } = tool;
  return { name, description, inputSchema, outputSchema };
}

// A server sends the same definitions, in the same key order, on every list: the digest of each is
// remembered by its plain JSON text, so a list of 200 tools costs 200 stringifies, not 200
// canonicalisations and hashes.
const known = new LruCache<string, string>(4096);

export function toolDigest(tool: ToolDefinition): string {
  const part = pinnedPart(tool);
  const text = JSON.stringify(part);
  let digest = known.get(text);
  if (digest === undefined) known.set(text, (digest = canonicalDigest(part)));
  return digest;
}
