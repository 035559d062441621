// A page of rows fetched one past the limit: the extra row says there is a next page, which starts
// before the position of the last row kept (SQLite's rowid, PostgreSQL's identity column).
import type { Page } from './ports.js';

export function pageOf<R, T>(rows: readonly R[], limit: number, map: (row: R) => T, position: (row: R) => number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return rows.length > limit && last !== undefined ? { items: items.map(map), next: position(last) } : { items: items.map(map) };
}
