// How an audit entry becomes its record line (the Merkle leaf data and the export line), and how
// a tree head is kept in one row. Shared by every backend so their bytes cannot drift.
import type { AuditEntry, AuditHead, AuditInput, EncodedEntry } from './ports.js';

export const AUDIT_RECORD_VERSION = 1;

/** The entry's JSON, minus any `v` or `seq` of its own (the store assigns those). Throws if unserialisable. */
export function encodeEntry(entry: AuditEntry): EncodedEntry {
  if ('v' in entry || 'seq' in entry) {
    const { v: _v, seq: _seq, ...rest } = entry;
    return JSON.stringify(rest) as EncodedEntry;
  }
  return JSON.stringify(entry) as EncodedEntry;
}

/** `{"v":1,"seq":N,...}`: version and seq first, then the entry's own fields in their order. */
export function recordLine(seq: number, input: AuditInput): string {
  const text = typeof input === 'string' ? input : encodeEntry(input);
  // text is `{...}`; `{}` has no fields to follow the seq.
  return text.length > 2 ? `{"v":${AUDIT_RECORD_VERSION},"seq":${seq},${text.slice(1)}` : `{"v":${AUDIT_RECORD_VERSION},"seq":${seq}}`;
}

export function encodeHead(head: AuditHead): string {
  return head.edges.map((e) => e.toString('base64')).join(',');
}

export function decodeHead(size: number, edges: string): AuditHead {
  return { size, edges: edges ? edges.split(',').map((e) => Buffer.from(e, 'base64')) : [] };
}
