// The records a state change carries into its own transaction (RecordsOf in ports.ts): shared by
// the backends, so "nothing changed, nothing recorded" means the same on each.
import type { AuditEntry, RecordsOf } from './ports.js';

/** The change's records, or none when nothing changed (undefined, 0, an empty list). */
export function recordsFor<T>(records: RecordsOf<T> | undefined, changed: T | undefined): readonly AuditEntry[] {
  if (!records || changed === undefined || changed === 0 || (Array.isArray(changed) && changed.length === 0)) return [];
  return records(changed);
}
