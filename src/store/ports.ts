// The storage ports: one interface per kind of state. Each backend (sqlite/, postgres/)
// implements all of them; the shared contract tests in store/contract/ hold them to one behaviour.
import type { Approval, ApprovalStatus, Vote } from '../approvals/types.js';
import type { ToolPinStore, SecretStore, GpuStore } from './resource-ports.js';

export type { ToolPin, ToolPinStore, SealedSecretVersion, SecretSummary, SecretStore, GpuAllocation, GpuStore } from './resource-ports.js';

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
  /** A delegated key: the agent acts for `User::"<onBehalfOf>"` (both are decided). */
  readonly onBehalfOf?: string | null;
  /**
   * An S3 credential (`airlock keys create --s3`): the access key id clients sign with, and the
   * secret sealed by the key-encryption key, since the gateway must recompute signatures. Such a
   * record is never accepted as a bearer key; `hash` is the SHA-256 of the secret.
   */
  readonly s3?: S3KeyMaterial;
}

export interface S3KeyMaterial {
  readonly accessKeyId: string;
  readonly sealedSecret: string;
}

/**
 * The audit records of a state change, built from what changed. A store appends them to the log in
 * the change's own transaction: a change never commits without its record, nor a record without
 * its change. Called only when something changed (not for undefined, 0 or an empty list); an
 * empty answer appends nothing.
 */
export type RecordsOf<T> = (changed: T) => readonly AuditEntry[];

export interface KeyStore {
  insertKey(key: ApiKeyRecord, records?: readonly AuditEntry[]): Promise<void>;
  listKeys(): Promise<ApiKeyRecord[]>;
  /** Keys neither revoked nor expired at `now` (unix ms). */
  listLiveKeys(now: number): Promise<ApiKeyRecord[]>;
  /** Revokes every live key of the agent; returns how many were revoked. */
  revokeAgentKeys(agent: string, now: number, records?: RecordsOf<number>): Promise<number>;
  /** A number that changes whenever a key is added or revoked: lets caches skip a reload. */
  keysVersion(): Promise<number>;
}

/** An audit record before it is sequenced; the store assigns `seq` and produces the line. */
export type AuditEntry = Record<string, unknown> & { readonly kind: string };

/**
 * An entry serialised ahead of sequencing (encodeEntry in audit-line.ts): a JSON object without
 * `v` or `seq`. The gateway serialises each entry once, on the request thread; the audit worker
 * only splices the seq in, and never parses or re-serialises a record.
 */
export type EncodedEntry = string & { readonly __encodedAuditEntry: true };

/** What a store appends: an entry object, or one already encoded. */
export type AuditInput = AuditEntry | EncodedEntry;

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

/**
 * Names one batch of one audit writer, so that a batch sent again (its first answer was lost:
 * a worker died after the commit, a connection dropped during COMMIT) is committed once.
 */
export interface AuditBatch {
  /** Unique per writer (a random id per process). */
  readonly writer: string;
  /** Increases by one per batch; a writer appends its batches one at a time, in order. */
  readonly n: number;
}

export interface AuditStore {
  /**
   * Appends entries in one transaction, in order: assigns each the next `seq`, writes its line
   * and leaf, the Merkle nodes it completes and the new head. Resolves once durable. With `batch`,
   * when that writer's last committed batch is this one, writes nothing and resolves with the
   * records committed then; a batch older than that writer's last is refused.
   */
  appendAudit(entries: readonly AuditInput[], batch?: AuditBatch): Promise<StoredAuditRecord[]>;
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

/** One page of a list, newest first; `next` is where the following page starts (absent on the last). */
export interface Page<T> {
  readonly items: T[];
  readonly next?: number;
}

export type VoteOutcome = 'recorded' | 'duplicate' | 'not_pending' | 'not_found';

/** A vote's outcome and the approval after it (absent when not found); records see every outcome. */
export interface VoteResult {
  readonly outcome: VoteOutcome;
  readonly approval?: Approval;
}

export interface ApprovalStore {
  insertApproval(approval: Approval, records?: readonly AuditEntry[]): Promise<void>;
  /** The pending, unexpired approval with this fingerprint, if any (one per repeated request). */
  findPending(fingerprint: string, now: number): Promise<Approval | undefined>;
  /** The oldest approved, unexpired (so not yet used) approval with this fingerprint, if any. */
  findApproved(fingerprint: string, now: number): Promise<Approval | undefined>;
  getApproval(id: string): Promise<Approval | undefined>;
  /** Newest first, at most `limit`, from before position `before` (a page's `next`). */
  listApprovals(status: ApprovalStatus | undefined, limit: number, before?: number): Promise<Page<Approval>>;
  /** Pending, unexpired approvals the principal opened: bounded per principal. */
  countPending(principal: { readonly type: string; readonly id: string }, now: number): Promise<number>;
  /**
   * In one transaction: records the vote on a pending, unexpired approval the approver has not
   * voted on; a deny vote closes it as denied, the quorum-th approve vote as approved (its
   * use-by time becomes `now + useTtlMs`). Two votes at once cannot both complete it.
   */
  castVote(id: string, vote: Vote, now: number, useTtlMs: number, records?: RecordsOf<VoteResult>): Promise<VoteResult>;
  /** approved → used, once, when the fingerprint matches and it is not past its use-by time. */
  useApproval(id: string, fingerprint: string, now: number, records?: RecordsOf<Approval>): Promise<Approval | undefined>;
  /** pending or approved past `expires_at` → expired; returns those changed. */
  expireApprovals(now: number, records?: RecordsOf<Approval[]>): Promise<Approval[]>;
}

export type GrantStatus = 'pending' | 'active' | 'denied' | 'revoked' | 'expired';

export interface Grant {
  readonly id: string;
  readonly principal: { readonly type: string; readonly id: string };
  readonly group: string;
  readonly reason: string;
  readonly duration_seconds: number;
  readonly status: GrantStatus;
  readonly approval_id: string | null;
  readonly created_at: string;
  /** Counted from the approval, not from the request. */
  readonly starts_at: string | null;
  readonly expires_at: string | null;
  readonly ended_at: string | null;
}

export interface GrantStore {
  insertGrant(grant: Grant, records?: readonly AuditEntry[]): Promise<void>;
  getGrant(id: string): Promise<Grant | undefined>;
  /** Newest first, at most `limit`, from before position `before` (a page's `next`). */
  listGrants(limit: number, before?: number): Promise<Page<Grant>>;
  /** Grants active at `now`: the memberships the identify stage adds. */
  listActiveGrants(now: number): Promise<Grant[]>;
  /** pending → active (starting now) for the grant waiting on this approval. */
  activateGrant(approvalId: string, now: number, records?: RecordsOf<Grant>): Promise<Grant | undefined>;
  /** pending → denied for the grant waiting on this approval. */
  denyGrant(approvalId: string, now: number, records?: RecordsOf<Grant>): Promise<Grant | undefined>;
  /**
   * pending → active (starting now) for every grant whose approval is approved: the sweep's catch-up
   * for an activation that did not happen when the approval was decided. Returns those changed.
   */
  activateApprovedGrants(now: number, records?: RecordsOf<Grant[]>): Promise<Grant[]>;
  /** pending or active → revoked. */
  revokeGrant(id: string, now: number, records?: RecordsOf<Grant>): Promise<Grant | undefined>;
  /** active past expires_at → expired, pending whose approval expired → expired; returns those changed. */
  expireGrants(now: number, records?: RecordsOf<Grant[]>): Promise<Grant[]>;
  /** Changes whenever a grant starts or ends: lets caches skip a reload. */
  grantsVersion(): Promise<number>;
}

/** A policy bundle as stored: the exact files a replica loads when it converges on it. */
export interface StoredBundle {
  /** Hex SHA-256 over the files, computed by the caller. */
  readonly version: string;
  /** Relative path -> content. */
  readonly files: Readonly<Record<string, string>>;
  /** When it last became the active bundle (ISO). */
  readonly activated_at: string;
  /** Who activated it, e.g. "replica <hostname>:<pid> from ./policies". */
  readonly source: string;
}

export interface BundleStore {
  /**
   * In one transaction: records the bundle (idempotent by version: the files first stored under a
   * version are kept) and makes it the active one. Returns false, changing nothing, when
   * `expectedActive` is given (null: no bundle active yet) and is no longer the active version.
   * Activating the version already active keeps its `activated_at` and `source`.
   */
  activateBundle(
    bundle: { readonly version: string; readonly files: Readonly<Record<string, string>>; readonly source: string },
    now: number,
    expectedActive?: string | null,
  ): Promise<boolean>;
  /** The active bundle, if any. */
  activeBundle(): Promise<StoredBundle | undefined>;
  /** Only the active version: cheap, polled every second by every replica. */
  activeBundleVersion(): Promise<string | undefined>;
  /** Whether this version was ever activated (lets a replica starting with stale files recognise them as old). */
  knownBundleVersion(version: string): Promise<boolean>;
}

/** One principal's tokens to add to its count for a UTC day. */
export interface TokenUsage {
  /** `Type::"id"` */
  readonly principal: string;
  /** `YYYY-MM-DD`, UTC. */
  readonly day: string;
  readonly tokens: number;
}

/** Model tokens used per principal and day (from upstream answers' `usage`), shared by replicas. */
export interface UsageStore {
  /** Adds each entry to its principal's count for its day, in one transaction. */
  addTokens(entries: readonly TokenUsage[]): Promise<void>;
  /** The count for the principal and day; 0 when nothing was counted. */
  tokensOn(principal: string, day: string): Promise<number>;
}

/** Alert firings, claimed once across replicas. */
export interface AlertStore {
  /** True for the first caller to claim `id` (rule, key and window); false for every later one. */
  claimAlert(id: string, now: number): Promise<boolean>;
}

/** What changed, so caches on every replica can refresh at once instead of at their next poll. */
export type ChangeTopic = 'keys' | 'grants' | 'approvals' | 'policy' | 'secrets';

export interface ChangeFeed {
  /** Tells every process sharing the store (best effort; pollers are the fallback). */
  publish(topic: ChangeTopic, payload: string): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(listener: (topic: ChangeTopic, payload: string) => void): () => void;
}

export interface Store {
  readonly changes: ChangeFeed;
  readonly keys: KeyStore;
  readonly audit: AuditStore;
  readonly approvals: ApprovalStore;
  readonly grants: GrantStore;
  readonly bundles: BundleStore;
  readonly usage: UsageStore;
  readonly alerts: AlertStore;
  readonly toolPins: ToolPinStore;
  readonly secrets: SecretStore;
  readonly gpus: GpuStore;
  /** True when the backing database answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
