// A state change and its audit records in one IMMEDIATE transaction (RecordsOf in ports.ts): the
// change runs, then its records are appended as a savepoint of the same transaction, so both
// commit or neither does.
import type Database from 'better-sqlite3';
import { recordsFor } from '../change-records.js';
import type { RecordsOf } from '../ports.js';
import type { SqliteAppend } from './audit.js';

export type RecordedChange<A extends unknown[], T> = (records: RecordsOf<T> | undefined, ...args: A) => T | undefined;

export function recordedChange<A extends unknown[], T>(db: Database.Database, append: SqliteAppend, change: (...args: A) => T | undefined): RecordedChange<A, T> {
  const tx = db.transaction((records: RecordsOf<T> | undefined, args: A) => {
    const changed = change(...args);
    const entries = recordsFor(records, changed);
    if (entries.length) append(entries);
    return changed;
  });
  return (records, ...args) => tx.immediate(records, args);
}
