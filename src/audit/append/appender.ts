// What the audit writer commits batches through: in this thread (tests, tools) or in a worker
// thread (the gateway), where SQLite's commit and the Merkle hashing do not hold up requests.
import type { AuditBatch, AuditStore, EncodedEntry } from '../../store/ports.js';

export interface BatchAppender {
  /**
   * Commits the entries in one transaction, in order; resolves with their seqs once durable. The
   * same `batch` sent again is committed once (AuditStore.appendAudit).
   */
  appendBatch(entries: readonly EncodedEntry[], batch?: AuditBatch): Promise<number[]>;
  close(): Promise<void>;
}

/** Appends in this thread, straight to the store. */
export function storeAppender(store: Pick<AuditStore, 'appendAudit'>): BatchAppender {
  return {
    async appendBatch(entries, batch) {
      return (await store.appendAudit(entries, batch)).map((r) => r.seq);
    },
    async close() {},
  };
}
