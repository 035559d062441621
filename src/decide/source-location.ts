// Decide stage, bundle loading: turns Cedar's diagnostics into `file:line:col: message` lines.
// Cedar reports positions as UTF-8 byte offsets into the text it was given; editors want
// 1-based lines and columns counted in characters.
import type { DetailedError } from './cedar.js';

export function lineCol(text: string, byteOffset: number): { line: number; col: number } {
  const before = Buffer.from(text, 'utf8').subarray(0, Math.max(0, byteOffset)).toString('utf8');
  const lines = before.split('\n');
  const last = lines[lines.length - 1] ?? '';
  return { line: lines.length, col: [...last].length + 1 };
}

/** One problem line per Cedar error; `rename` rewrites Cedar's internal policy ids into ours. */
export function formatCedarError(
  file: string,
  text: string | undefined,
  err: DetailedError,
  rename: (message: string) => string = (m) => m,
): string {
  const loc = err.sourceLocations?.[0];
  const where = loc && text !== undefined ? `${file}:${fmt(lineCol(text, loc.start))}` : file;
  let line = `${where}: ${rename(err.message)}`;
  if (loc?.label) line += ` (${loc.label})`;
  if (err.help) line += ` (help: ${rename(err.help)})`;
  return line;
}

function fmt(p: { line: number; col: number }): string {
  return `${p.line}:${p.col}`;
}
