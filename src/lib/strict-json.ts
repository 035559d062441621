// JSON as the gateway decides on it. JSON.parse keeps the last of two equal keys, while other
// parsers keep the first or refuse: `{"model":"gpt-4o","model":"gpt-4o-mini"}` could be decided on
// one model and served with the other. A body the gateway reads to decide must therefore have no
// duplicate key at any depth. JSON.parse does the parsing (fast, native); duplicates are found by
// comparing the number of key tokens in the text with the number of keys parsed, which only needs
// a scan from quote to quote (the text is known to be valid JSON by then, so every quote outside a
// string opens one).
import { isUtf8 } from 'node:buffer';
import { AirlockError } from './errors.js';

/**
 * A JSON request body: UTF-8 (RFC 8259 section 8.1), strictly parsed. Bytes that are not UTF-8
 * would be decided on the replacement characters node puts in their place, while each upstream
 * decodes them its own way (refuses, replaces per byte, keeps them as surrogates).
 */
export function parseJsonBody(body: Buffer): unknown {
  if (!isUtf8(body)) throw new AirlockError('bad_request', 'the request body is not valid UTF-8');
  return parseJsonStrict(body.toString('utf8'));
}

export function parseJsonStrict(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AirlockError('bad_request', 'the request body is not valid JSON');
  }
  if (typeof value === 'object' && value !== null && keyTokens(text) !== keysIn(value)) {
    throw new AirlockError('bad_request', 'the request body has a duplicate key');
  }
  return value;
}

/** Strings in the text that are followed by a colon: the object keys as written. */
function keyTokens(text: string): number {
  let count = 0;
  let i = 0;
  for (;;) {
    const open = text.indexOf('"', i);
    if (open === -1) return count;
    let close = open + 1;
    for (;;) {
      close = text.indexOf('"', close);
      let backslashes = 0;
      while (text.charCodeAt(close - 1 - backslashes) === 0x5c) backslashes++;
      if (backslashes % 2 === 0) break;
      close++;
    }
    let next = close + 1;
    for (let c = text.charCodeAt(next); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = text.charCodeAt(++next));
    if (text.charCodeAt(next) === 0x3a) count++;
    i = close + 1;
  }
}

/** Keys of every object in a parsed value. */
function keysIn(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const v of value) count += keysIn(v);
    return count;
  }
  for (const key in value) {
    count++;
    count += keysIn((value as Record<string, unknown>)[key]);
  }
  return count;
}
