// Background delivery of the audit log to one SIEM sink. It reads the records after the sink's
// cursor from the store, hands them to the target, and only then moves the cursor (in the store,
// so a restart resumes where delivery stopped): every record is delivered at least once, in seq
// order. It runs on its own timers and only ever reads the audit log, so a dead sink costs the
// data plane nothing but an occasional read; it never throws out of its loop.
import type { Logger } from '../../lib/logger.js';
import type { AuditStore } from '../../store/ports.js';
import { DEFAULT_BACKOFF, backoffDelay } from './backoff.js';
import type { BackoffOptions, SinkCallbacks, SinkStats, SinkTarget } from './types.js';
import { errorMessage } from '../../lib/errors.js';

export interface SinkDeliveryOptions extends SinkCallbacks {
  readonly log: Logger;
  /** Most records per delivery (default 500). */
  readonly batchSize?: number;
  /** How often an idle sink looks for new records (default 250 ms); nudge() skips the wait. */
  readonly pollMs?: number;
  readonly backoff?: BackoffOptions;
  /** How long close() waits for a delivery in flight before abandoning it (default 5 s). */
  readonly closeTimeoutMs?: number;
}

export class SinkDelivery {
  /** Last seq delivered; undefined until read from the store. */
  private cursor: number | undefined;
  /** Last seq saved in the store; behind `cursor` only after a failed save. */
  private saved = -1;
  private headSize = 0;
  private delivered = 0;
  private failures = 0;
  private consecutive = 0;
  private lastError: string | undefined;
  private retryAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private nudged = false;
  private closed = false;
  private readonly abort = new AbortController();
  private readonly batchSize: number;
  private readonly pollMs: number;

  constructor(
    readonly target: SinkTarget,
    private readonly audit: AuditStore,
    private readonly options: SinkDeliveryOptions,
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.pollMs = options.pollMs ?? 250;
  }

  start(): this {
    this.schedule(0);
    return this;
  }

  /** Look for new records now (after an audit commit). Cheap, never throws, ignored while backing off. */
  nudge(): void {
    if (this.closed) return;
    if (this.running) this.nudged = true;
    else if (Date.now() >= this.retryAt) this.schedule(0);
  }

  /** Records appended but not yet delivered, as of the last poll (at most pollMs old). */
  lag(): number {
    return Math.max(0, this.headSize - 1 - (this.cursor ?? -1));
  }

  stats(): SinkStats {
    const { delivered, failures, lastError } = this;
    return { sink: this.target.label, lag: this.lag(), cursor: this.cursor ?? -1, delivered, failures, lastError };
  }

  /** Stops polling and waits (bounded) for a delivery in flight, so its cursor is saved. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    if (!this.running) return;
    let timeout: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      this.running.then(() => true),
      new Promise<false>((r) => (timeout = setTimeout(() => r(false), this.options.closeTimeoutMs ?? 5_000))),
    ]);
    clearTimeout(timeout);
    // Abandoned: that batch is sent again after the restart (at least once).
    if (!finished) this.abort.abort(new Error('audit sink closed'));
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.closed) return;
    this.timer = setTimeout(() => this.tick(), delayMs);
    // Never keeps a process alive on its own (a CLI command, a draining gateway).
    this.timer.unref();
  }

  private tick(): void {
    if (this.closed || this.running) return;
    this.nudged = false;
    this.running = this.step().then((delay) => {
      this.running = undefined;
      this.schedule(this.nudged && Date.now() >= this.retryAt ? 0 : delay);
    });
  }

  /** One poll; resolves (never rejects) with the delay before the next. */
  private async step(): Promise<number> {
    try {
      this.headSize = (await this.audit.auditHead()).size;
      if (this.cursor === undefined) this.cursor = this.saved = await this.audit.sinkCursor(this.target.name);
      const wait = this.retryAt - Date.now();
      // Polling goes on while backing off, so lag() keeps counting during an outage.
      if (wait > 0) return Math.min(wait, this.pollMs);
      if (this.saved < this.cursor) await this.save();
      const batch = await this.audit.readAudit(this.cursor, this.batchSize);
      if (!batch.length) return this.pollMs;
      await this.target.deliver(batch, this.abort.signal);
      this.cursor = batch[batch.length - 1]!.seq;
      this.delivered += batch.length;
      this.consecutive = 0;
      this.retryAt = 0;
      this.lastError = undefined;
      this.notify(() => this.options.onDelivered?.(this.target.label, batch.length));
      await this.save();
      return 0; // more may have arrived meanwhile: look again at once
    } catch (err) {
      return this.failed(err);
    }
  }

  private async save(): Promise<void> {
    const seq = this.cursor!;
    await this.audit.setSinkCursor(this.target.name, seq, Date.now());
    this.saved = seq;
  }

  private failed(err: unknown): number {
    const message = errorMessage(err);
    if (this.closed) {
      this.options.log.debug({ sink: this.target.label, err: message }, 'audit sink delivery abandoned at close');
      return this.pollMs;
    }
    this.failures++;
    this.consecutive++;
    this.lastError = message;
    const delay = backoffDelay(this.consecutive, this.options.backoff ?? DEFAULT_BACKOFF);
    this.retryAt = Date.now() + delay;
    this.options.log.warn({ sink: this.target.label, err: message, failures: this.consecutive, retryInMs: Math.round(delay) }, 'audit sink delivery failed');
    this.notify(() => this.options.onFailure?.(this.target.label, err));
    return Math.min(delay, this.pollMs);
  }

  /** A throwing callback must not break delivery. */
  private notify(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.options.log.error({ sink: this.target.label, err }, 'audit sink callback threw');
    }
  }
}
