// Test support (not a test): an in-memory KeyStore that can be made to fail.

import type { ApiKeyRecord, KeyStore } from '../../store/ports.js';

export class FakeKeyStore implements KeyStore {
  records: ApiKeyRecord[] = [];
  version = 0;
  failing = false;
  reads = 0;

  private check(): void {
    if (this.failing) throw new Error('store unavailable');
  }
  async insertKey(key: ApiKeyRecord): Promise<void> {
    this.check();
    this.records.push(key);
    this.version++;
  }
  async listKeys(): Promise<ApiKeyRecord[]> {
    this.check();
    return [...this.records];
  }
  async listLiveKeys(now: number): Promise<ApiKeyRecord[]> {
    this.check();
    this.reads++;
    return this.records.filter((r) => r.revokedAt === null && (r.expiresAt === null || r.expiresAt > now));
  }
  async revokeAgentKeys(agent: string, now: number): Promise<number> {
    this.check();
    let n = 0;
    this.records = this.records.map((r) => (r.agent === agent && r.revokedAt === null ? (n++, { ...r, revokedAt: now }) : r));
    if (n > 0) this.version++;
    return n;
  }
  async keysVersion(): Promise<number> {
    this.check();
    return this.version;
  }
}

export function keyRecord(agent: string, hash: string, extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return { id: `id-${agent}-${hash.slice(0, 6)}`, agent, groups: ['pipelines'], hash, createdAt: 0, expiresAt: null, revokedAt: null, ...extra };
}
