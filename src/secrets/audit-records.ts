// The audit records of the secret store. They name secrets and versions, KEKs by id, and who acted;
// a value, a data key or a KEK never enters one.
import type { AuditEntry } from '../store/ports.js';

const now = () => new Date().toISOString();

/** A stored version failed its integrity check where it was opened (start, reference, broker, rotation). */
export function tamperedRecord(name: string, version: number, where: string): AuditEntry {
  return { kind: 'secret_tampered', time: now(), secret: name, version, where };
}

export function putRecord(name: string, version: number, actor: { type: string; id: string }): AuditEntry {
  return { kind: 'secret_put', time: now(), secret: name, version, actor };
}

export function deletedRecord(name: string, versions: number, actor: { type: string; id: string }): AuditEntry {
  return { kind: 'secret_deleted', time: now(), secret: name, versions, actor };
}

export function rotatedRecord(from: readonly string[], to: string, rewrapped: number, actor: { type: string; id: string }): AuditEntry {
  return { kind: 'secret_kek_rotated', time: now(), from, to, rewrapped, actor };
}
