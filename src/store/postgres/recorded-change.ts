// A state change and its audit records in one transaction (RecordsOf in ports.ts): the change's
// statements run first, then its records are appended (locking the audit head last), and both
// commit or neither does. Without records a change runs as it always did: one statement, no
// transaction, unless it needs one of its own.
import { recordsFor } from '../change-records.js';
import type { RecordsOf } from '../ports.js';
import { appendAuditIn } from './audit.js';
import type { Db, Queryable } from './pool.js';

export async function recordedChange<T>(
  db: Db,
  records: RecordsOf<T> | undefined,
  change: (q: Queryable) => Promise<T | undefined>,
  ownTransaction = false,
): Promise<T | undefined> {
  if (!records && !ownTransaction) return change(db);
  return db.tx(async (q) => {
    const changed = await change(q);
    const entries = recordsFor(records, changed);
    if (entries.length) await appendAuditIn(q, entries);
    return changed;
  });
}
