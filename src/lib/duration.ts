// Durations as people write them on command lines and in API queries.
import { AirlockError } from './errors.js';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30d`, `12h`, `15m`, `45s`, `200ms` → milliseconds (a positive whole number of units). */
export function parseDuration(text: string): number {
  const m = /^(\d+)\s*(ms|s|m|h|d)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new AirlockError('bad_request', `"${text}" is not a duration like 30d, 12h, 15m, 45s or 200ms`);
  return ms;
}
