// The shapes shared by the SIEM export: a sink target knows how to hand one batch of audit
// records to one destination; SinkDelivery (sink-delivery.ts) owns everything else (cursor,
// polling, retries), so a new kind of sink is only a `deliver` function.
import type { StoredAuditRecord } from '../../store/ports.js';

export interface SinkTarget {
  /** The cursor key in the store: `webhook:<url>` / `file:<path>`, stable across restarts. */
  readonly name: string;
  /** Safe to log and to use as a metric label (no credentials from a URL). */
  readonly label: string;
  /**
   * Delivers the records (ascending seq, contiguous, never empty) durably, or throws.
   * Must give up when `signal` aborts. Resolving means the destination has them: the cursor
   * then moves past them and they are not sent again.
   */
  deliver(records: readonly StoredAuditRecord[], signal: AbortSignal): Promise<void>;
}

export interface BackoffOptions {
  /** First retry delay after a failure. */
  readonly initialMs: number;
  /** The delay doubles per consecutive failure up to this. */
  readonly maxMs: number;
}

export interface SinkCallbacks {
  /**
   * After each delivered batch. Also the place to wire metrics. Never called for records
   * the sink delivered but failed to checkpoint (they are sent again, see sink-delivery.ts).
   */
  readonly onDelivered?: (sink: string, count: number) => void;
  /**
   * After each failed attempt (the sink retries by itself). The caller may write an audit record
   * of the failure; the sinks never do, since a failing sink would then feed itself its own
   * failures, one more record per retry.
   */
  readonly onFailure?: (sink: string, err: unknown) => void;
}

export interface SinkStats {
  readonly sink: string;
  /** Records appended but not yet delivered, as of the last poll. */
  readonly lag: number;
  /** The last seq delivered (-1: none yet). */
  readonly cursor: number;
  readonly delivered: number;
  readonly failures: number;
  /** The message of the last failure, cleared by the next success. */
  readonly lastError: string | undefined;
}
