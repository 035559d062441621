// The audit records of the secret store. They name secrets and versions, and KEKs by id; a value,
// a data key or a KEK never enters one. (The CLI adds `time` and `actor` to its changes.)
import type { AuditEntry } from '../store/ports.js';

/** A stored version failed its integrity check where it was opened (start, reference, broker, rotation). */
export function tamperedRecord(name: string, version: number, where: 'start' | 'reference' | 'broker' | 'rotation'): AuditEntry {
  return { kind: 'secret_tampered', time: new Date().toISOString(), secret: name, version, where };
}

export const putRecord = (name: string, version: number): AuditEntry => ({ kind: 'secret_put', secret: name, version });

export const deletedRecord = (name: string, versions: number): AuditEntry => ({ kind: 'secret_deleted', secret: name, versions });

export const rotatedRecord = (from: readonly string[], to: string, rewrapped: number): AuditEntry => ({ kind: 'secret_kek_rotated', from, to, rewrapped });
