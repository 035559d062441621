// What the audit writer commits batches through: in this thread (tests, tools) or in a worker
// thread (the gateway), where SQLite's commit and the Merkle hashing do not hold up requests.
import type { AuditStore, EncodedEntry } from '../../store/ports.js';

export interface BatchAppender {
  /** Commits the entries in one transaction, in order; resolves with their seqs once durable. */
  appendBatch(entries: readonly EncodedEntry[]): Promise<number[]>;
  close(): Promise<void>;
}

/** Appends in this thread, straight to the store. */
export function storeAppender(store: Pick<AuditStore, 'appendAudit'>): BatchAppender {
  return {
    async appendBatch(entries) {
      return (await store.appendAudit(entries)).map((r) => r.seq);
    },
    async close() {},
  };
}
