// How an audit entry becomes its record line (the Merkle leaf data and the export line), and how
// a tree head is kept in one row. Shared by every backend so their bytes cannot drift.
import type { AuditEntry, AuditHead } from './ports.js';

export const AUDIT_RECORD_VERSION = 1;

/** `{"v":1,"seq":N,...}`: version and seq first, then the entry's own fields in their order. */
export function recordLine(seq: number, entry: AuditEntry): string {
  const { v: _v, seq: _seq, ...rest } = entry;
  return JSON.stringify({ v: AUDIT_RECORD_VERSION, seq, ...rest });
}

export function encodeHead(head: AuditHead): string {
  return head.edges.map((e) => e.toString('base64')).join(',');
}

export function decodeHead(size: number, edges: string): AuditHead {
  return { size, edges: edges ? edges.split(',').map((e) => Buffer.from(e, 'base64')) : [] };
}
