// The one audit writer of a process: group commit. Callers enqueue a record and await the commit
// of the batch it lands in; batches are flushed on the next turn of the event loop (so everything
// that arrived meanwhile shares one transaction) and hold at most `maxBatch` records. A record
// nobody waits for (an outcome) lingers up to LINGER_MS for company instead. A failed
// commit rejects the batch's awaiting callers (the pipeline then refuses with 503); records whose
// callers did not wait (outcomes) are put back and retried, so a store hiccup drops nothing.
// Entries are encoded on the way in, once: the batch then crosses to the appender as text.
import { encodeEntry } from '../store/audit-line.js';
import type { AuditInput, EncodedEntry } from '../store/ports.js';
import type { BatchAppender } from './append/appender.js';

/**
 * How long a record nobody waits for may wait for the next awaited one, by default. At low load a
 * request's outcome then shares the next request's commit instead of costing a transaction of
 * its own (measured at one connection: two commits a request, about 100 µs of worker CPU each).
 */
const LINGER_MS = 2;

type Wake = 'linger' | 'now' | 'retry';

interface Pending {
  readonly entry: EncodedEntry;
  readonly resolve?: (seq: number) => void;
  readonly reject?: (e: unknown) => void;
}

export interface AuditWriterOptions {
  readonly maxBatch?: number;
  /** Called after each failed commit (for logs and metrics). */
  readonly onError?: (err: unknown) => void;
  /** How long to wait before retrying unawaited records after a failure. */
  readonly retryMs?: number;
  /** How long a record nobody waits for may wait for company (LINGER_MS). */
  readonly lingerMs?: number;
}

export class AuditWriter {
  private queue: Pending[] = [];
  private flushing: Promise<boolean> | undefined;
  /** The flush already scheduled, if any; only a lingering one is brought forward. */
  private wake: { readonly kind: Wake; readonly timer?: NodeJS.Timeout } | undefined;
  private readonly commitListeners: (() => void)[] = [];
  private readonly maxBatch: number;
  private readonly retryMs: number;
  private readonly lingerMs: number;

  constructor(
    private readonly appender: BatchAppender,
    private readonly options: AuditWriterOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 512;
    this.retryMs = options.retryMs ?? 200;
    this.lingerMs = options.lingerMs ?? LINGER_MS;
  }

  /** Resolves with the record's seq once it is durable; rejects if the entry cannot be serialised. */
  append(entry: AuditInput): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entry: encoded(entry), resolve, reject });
      this.schedule('now');
    });
  }

  /** Enqueues a record without waiting; it is retried until it is written. Throws if unserialisable. */
  enqueue(entry: AuditInput): void {
    this.queue.push({ entry: encoded(entry) });
    this.schedule('linger');
  }

  /** Called after every successful commit (the SIEM sinks use it to deliver without polling). */
  onCommit(listener: () => void): void {
    this.commitListeners.push(listener);
  }

  get depth(): number {
    return this.queue.length;
  }

  /** Writes everything queued so far (used on shutdown); gives up after `timeoutMs` if the store is down. */
  async flush(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length || this.flushing) {
      if (Date.now() > deadline) return false;
      const ok = await this.run();
      if (!ok) await new Promise((r) => setTimeout(r, this.retryMs));
    }
    return true;
  }

  private schedule(kind: Wake): void {
    if (this.flushing) return; // drain() takes whatever arrives while it commits
    if (this.wake && (this.wake.kind !== 'linger' || kind === 'linger')) return;
    clearTimeout(this.wake?.timer);
    const go = () => {
      this.wake = undefined;
      void this.run();
    };
    if (kind === 'now') {
      setImmediate(go);
      this.wake = { kind };
    } else {
      // A retry timer must not hold a stopping process open; a lingering record is flushed on stop.
      const timer = setTimeout(go, kind === 'linger' ? this.lingerMs : this.retryMs);
      if (kind === 'retry') timer.unref();
      this.wake = { kind, timer };
    }
  }

  /** Resolves false when a commit failed (the unawaited records wait for a retry). */
  private run(): Promise<boolean> {
    if (this.flushing) return this.flushing;
    this.flushing = this.drain().then((ok) => {
      this.flushing = undefined;
      if (this.queue.length) this.schedule(ok ? 'now' : 'retry');
      return ok;
    });
    return this.flushing;
  }

  private async drain(): Promise<boolean> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const seqs = await this.appender.appendBatch(batch.map((p) => p.entry));
        batch.forEach((p, i) => p.resolve?.(seqs[i]!));
        for (const l of this.commitListeners) l();
      } catch (err) {
        this.options.onError?.(err);
        for (const p of batch) p.reject?.(err);
        this.queue.unshift(...batch.filter((p) => !p.reject));
        return false;
      }
    }
    return true;
  }
}

const encoded = (entry: AuditInput): EncodedEntry => (typeof entry === 'string' ? entry : encodeEntry(entry));
