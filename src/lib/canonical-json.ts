// RFC 8785 (JSON Canonicalization Scheme): one byte string per JSON value, whatever the key order
// or spacing a sender used, so a digest of it identifies the value itself. Keys are sorted by
// UTF-16 code units (JavaScript's default sort), numbers and strings are written as ECMAScript's
// JSON.stringify writes them, which is what RFC 8785 prescribes.
import { sha256Hex } from './sha256.js';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('JSON has no NaN or Infinity');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(obj).sort()) {
      if (obj[key] !== undefined) parts.push(`${JSON.stringify(key)}:${canonicalJson(obj[key])}`);
    }
    return `{${parts.join(',')}}`;
  }
  throw new TypeError(`not a JSON value: ${typeof value}`);
}

/** Hex SHA-256 of the value's canonical JSON. */
export function canonicalDigest(value: unknown): string {
  return sha256Hex(Buffer.from(canonicalJson(value), 'utf8'));
}
