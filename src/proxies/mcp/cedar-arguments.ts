// A tool call's JSON arguments as a Cedar value, so a policy can say
// `context.arguments.replicas > 10`. JSON and Cedar differ, and each difference is settled here:
// - integers that JavaScript holds exactly become Longs; other numbers become `decimal` values
//   when Cedar's decimal holds them exactly (at most four places, about ±9.2e14), else strings
//   (a policy can still compare them as text, and nothing is rounded into a different meaning);
// - null has no Cedar form: a null member is left out (`has` is false), a null element too;
// - arrays become sets (order and repeats are lost, which is what `contains` needs);
// - objects become records, whatever their keys (`context.arguments["dry-run"]`), except the keys
//   Cedar's JSON form reserves (`__entity`, `__extn`, `__expr`): an argument must never be read
//   as an entity reference or an extension call, so those keys are left out;
// - nesting deeper than MAX_DEPTH is kept as its JSON text.
import type { CedarRecord, CedarValue } from '../../model/entity.js';

const MAX_DEPTH = 32;
const RESERVED = new Set(['__entity', '__extn', '__expr']);
/** Cedar decimals are i64 with four implied places. */
const DECIMAL_LIMIT = 922_337_203_685_477;

export function cedarRecordOf(json: Record<string, unknown>): CedarRecord {
  return recordOf(json, 0);
}

function valueOf(v: unknown, depth: number): CedarValue | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return numberOf(v);
  if (depth >= MAX_DEPTH) return JSON.stringify(v);
  if (Array.isArray(v)) {
    const out: CedarValue[] = [];
    for (const x of v) {
      const c = valueOf(x, depth + 1);
      if (c !== undefined) out.push(c);
    }
    return out;
  }
  if (typeof v === 'object') return recordOf(v as Record<string, unknown>, depth + 1);
  return undefined;
}

function recordOf(obj: Record<string, unknown>, depth: number): CedarRecord {
  const out: CedarRecord = {};
  for (const key of Object.keys(obj)) {
    if (RESERVED.has(key)) continue;
    const c = valueOf(obj[key], depth);
    if (c === undefined) continue;
    // `__proto__` is an ordinary key in parsed JSON; assigning it would set the prototype instead.
    Object.defineProperty(out, key, { value: c, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function numberOf(n: number): CedarValue {
  if (Number.isSafeInteger(n)) return n === 0 ? 0 : n;
  const text = String(n);
  const m = /^-?\d+\.(\d{1,4})$/.exec(text);
  if (m && Math.abs(n) < DECIMAL_LIMIT) return { __extn: { fn: 'decimal', arg: text } };
  return text;
}
