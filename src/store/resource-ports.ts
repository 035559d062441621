// The storage ports of state the resource surfaces keep beside the core's: MCP tool pins, sealed
// secret versions, GPU allocations against team quotas. ports.ts re-exports them, so a backend and
// its callers still name one module; each backend implements them with the rest.

/** The trusted definition of one MCP tool (tool pinning), and a different one waiting for review. */
export interface ToolPin {
  /** The `mcp` resource (server) name. */
  readonly resource: string;
  readonly tool: string;
  /** Hex SHA-256 of the accepted definition; null when none was ever accepted. */
  readonly digest: string | null;
  /** A different definition the server presented since, not trusted until accepted. */
  readonly pending_digest: string | null;
  /** That definition as presented (name, description, schemas), for the reviewer. */
  readonly pending_definition: unknown;
  readonly first_seen_at: string;
  readonly changed_at: string | null;
  readonly accepted_at: string | null;
  /** `Type::"id"` of who accepted the current digest. */
  readonly accepted_by: string | null;
}

export interface ToolPinStore {
  /** Stores the pin unless one exists for its resource and tool; returns the stored one either way. */
  insertToolPin(pin: ToolPin): Promise<ToolPin>;
  /**
   * Marks `digest` as the pending (untrusted) definition. `changed` is false when it was pending
   * already, so each change is reported once however often the server presents it.
   */
  markToolPinChanged(resource: string, tool: string, digest: string, definition: unknown, now: number): Promise<{ pin: ToolPin; changed: boolean } | undefined>;
  /** Drops a pending definition (the server presents a trusted one again). */
  clearToolPinChange(resource: string, tool: string): Promise<ToolPin | undefined>;
  /** pending -> accepted, only when the pending digest is `digest` (what the reviewer saw). */
  acceptToolPin(resource: string, tool: string, digest: string, by: string, now: number): Promise<ToolPin | undefined>;
  /** Pins of one resource (or all), by resource then tool. */
  listToolPins(resource?: string): Promise<ToolPin[]>;
}

/** One stored version of a secret, sealed by secrets/envelope.ts: the store never sees a value. */
export interface SealedSecretVersion {
  readonly name: string;
  readonly version: number;
  /** The KEK its data key is wrapped under. */
  readonly kekId: string;
  readonly wrappedKey: Buffer;
  readonly ciphertext: Buffer;
  readonly createdAt: number; // unix ms
}

export interface SecretSummary {
  readonly name: string;
  /** The newest version. */
  readonly version: number;
  /** How many versions are kept. */
  readonly versions: number;
  readonly createdAt: number; // unix ms, of the oldest version kept
  readonly updatedAt: number; // unix ms, of the newest
}

export interface SecretStore {
  /** The KEK new data keys are wrapped under; undefined until the first claim. */
  currentKek(): Promise<string | undefined>;
  /** Makes `kekId` the current KEK when none is yet; returns the current one either way. */
  claimKek(kekId: string, now: number): Promise<string>;
  /**
   * Appends the next version of `name` in one transaction: `seal` seals the value for that version
   * under the current KEK, which the store passes in (so a rotation committing meanwhile cannot
   * leave a value under a retired KEK). Versions are never reused, even after a delete.
   */
  putSecret(name: string, seal: (version: number, kekId: string) => { wrappedKey: Buffer; ciphertext: Buffer }, now: number): Promise<number>;
  /** The newest version of `name` (or version `version`); undefined when there is none. */
  getSecret(name: string, version?: number): Promise<SealedSecretVersion | undefined>;
  /** Every secret with versions kept, by name. */
  listSecrets(): Promise<SecretSummary[]>;
  /** Removes every version of `name`; returns how many were removed. */
  deleteSecret(name: string): Promise<number>;
  /**
   * In one transaction: every version whose data key is not wrapped under `toKek` gets the wrapped
   * key `rewrap` returns, and `toKek` becomes current. A throw from `rewrap` rolls all of it back.
   * Returns how many were re-wrapped.
   */
  rotateKek(toKek: string, rewrap: (v: SealedSecretVersion) => Buffer, now: number): Promise<number>;
  /** A number that changes whenever a secret is put, deleted or re-wrapped. */
  secretsVersion(): Promise<number>;
}

/** GPUs one admitted Kubernetes object holds, counted against its team's quota. */
export interface GpuAllocation {
  /** The `kubernetes` resource (cluster) it belongs to. */
  readonly resource: string;
  /** `<namespace>/<resource>/<name>`. */
  readonly key: string;
  readonly team: string;
  readonly gpus: number;
  /** GPUs of one replica: what a later scale of the object multiplies. */
  readonly perReplica: number;
  /** Unix ms of the admission (or reconcile) that set it. */
  readonly updatedAt: number;
}

/**
 * GPU allocations per cluster and team, shared by replicas: admissions reserve against a quota
 * atomically (two replicas admitting at once never exceed it), deletions release, and a periodic
 * list of the cluster reconciles what admissions alone cannot see (finished jobs, lost deletes).
 */
export interface GpuStore {
  /**
   * In one transaction serialised per team: the team's GPUs held by every other object, and when
   * they plus `gpus` fit `quota` (or there is no quota), the object's allocation set to this.
   */
  reserveGpus(a: Omit<GpuAllocation, 'updatedAt'> & { readonly quota?: number }, now: number): Promise<{ readonly admitted: boolean; readonly inUse: number }>;
  /** The team's GPUs held by every object but `exceptKey`. */
  gpusInUse(resource: string, team: string, exceptKey?: string): Promise<number>;
  gpuAllocation(resource: string, key: string): Promise<GpuAllocation | undefined>;
  releaseGpus(resource: string, key: string): Promise<void>;
  /**
   * Makes the allocations what a list of the cluster taken at `listedAt` says, in one transaction:
   * listed objects get their listed allocation unless one was admitted since; unlisted ones are
   * dropped unless admitted within `graceMs` of the list (not stored by the API server yet).
   */
  reconcileGpus(resource: string, listed: readonly Omit<GpuAllocation, 'resource' | 'updatedAt'>[], listedAt: number, graceMs: number): Promise<void>;
}
