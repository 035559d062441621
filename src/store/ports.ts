// The storage ports: one interface per kind of state. Each backend (sqlite/, later postgres/)
// implements all of them; the shared contract tests in store/contract.ts hold them to one behaviour.

export interface ApiKeyRecord {
  readonly id: string;
  /** The agent's name: principal `Agent::"<agent>"`. */
  readonly agent: string;
  readonly groups: readonly string[];
  /** Hex SHA-256 of the key; the key itself is never stored. */
  readonly hash: string;
  readonly createdAt: number; // unix ms
  readonly expiresAt: number | null; // unix ms
  readonly revokedAt: number | null; // unix ms
}

export interface KeyStore {
  insertKey(key: ApiKeyRecord): Promise<void>;
  listKeys(): Promise<ApiKeyRecord[]>;
  /** Keys neither revoked nor expired at `now` (unix ms). */
  listLiveKeys(now: number): Promise<ApiKeyRecord[]>;
  /** Revokes every live key of the agent; returns how many were revoked. */
  revokeAgentKeys(agent: string, now: number): Promise<number>;
  /** A number that changes whenever a key is added or revoked: lets caches skip a reload. */
  keysVersion(): Promise<number>;
}

/** An audit record before it is sequenced; the store assigns `seq` and produces the line. */
export type AuditEntry = Record<string, unknown> & { readonly kind: string };

export interface StoredAuditRecord {
  readonly seq: number;
  /** The exact JSON line (no newline): the Merkle leaf data and the export line. */
  readonly line: string;
}

export interface AuditHead {
  readonly size: number;
  /** Roots of the perfect subtrees that make up the tree, largest first. */
  readonly edges: readonly Buffer[];
}

export interface NodeKey {
  readonly level: number;
  readonly index: number;
}

export interface AuditStore {
  /**
   * Appends entries in one transaction, in order: assigns each the next `seq`, writes its line
   * and leaf, the Merkle nodes it completes and the new head. Resolves once durable.
   */
  appendAudit(entries: readonly AuditEntry[]): Promise<StoredAuditRecord[]>;
  /** Records with seq > after, ascending, at most `limit`. */
  readAudit(after: number, limit: number): Promise<StoredAuditRecord[]>;
  auditHead(): Promise<AuditHead>;
  /** Stored perfect-subtree hashes (level 0: leaves); throws if any is missing. */
  readNodes(keys: readonly NodeKey[]): Promise<Buffer[]>;
  saveCheckpoint(size: number, note: string, now: number): Promise<void>;
  latestCheckpoint(): Promise<{ size: number; note: string } | undefined>;
  listCheckpoints(): Promise<{ size: number; note: string }[]>;
  /** The last seq delivered to a SIEM sink (-1: none yet). */
  sinkCursor(sink: string): Promise<number>;
  setSinkCursor(sink: string, seq: number, now: number): Promise<void>;
}

export interface Store {
  readonly keys: KeyStore;
  readonly audit: AuditStore;
  /** True when the backing database answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
