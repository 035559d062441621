// The one audit writer of a process: group commit. Callers enqueue a record and await the commit
// of the batch it lands in; batches are flushed on the next turn of the event loop (so everything
// that arrived meanwhile shares one transaction) and hold at most `maxBatch` records. A record
// nobody waits for (an outcome) lingers up to LINGER_MS for company instead. A failed
// commit rejects the batch's awaiting callers (the pipeline then refuses with 503), and the batch
// is sent again, whole and under the same number, before anything else, until it commits: a
// store hiccup drops nothing. A failed commit may have committed after all (its answer lost with a
// dying worker or a connection dropped during COMMIT); the store recognises the batch's number
// (AuditBatch) and writes it once. So a record whose caller heard 503 can still reach the log,
// where its request's outcome record says it was refused.
// Entries are encoded on the way in, once: the batch then crosses to the appender as text.
import { randomUUID } from 'node:crypto';
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

interface Batch {
  readonly n: number;
  readonly items: readonly Pending[];
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
  /** Names this writer's batches in the store. */
  private readonly id = randomUUID();
  private nextBatch = 0;
  private queue: Pending[] = [];
  /** A batch whose commit failed: sent again before anything else. */
  private unsent: Batch | undefined;
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
    return this.queue.length + (this.unsent?.items.length ?? 0);
  }

  /** Writes everything queued so far (used on shutdown); gives up after `timeoutMs` if the store is down. */
  async flush(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.depth || this.flushing) {
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
      if (this.depth) this.schedule(ok ? 'now' : 'retry');
      return ok;
    });
    return this.flushing;
  }

  private async drain(): Promise<boolean> {
    while (this.depth) {
      const batch = this.unsent ?? { n: this.nextBatch++, items: this.queue.splice(0, this.maxBatch) };
      try {
        const seqs = await this.appender.appendBatch(
          batch.items.map((p) => p.entry),
          { writer: this.id, n: batch.n },
        );
        this.unsent = undefined;
        // Callers refused at an earlier attempt stay refused (a settled promise ignores this).
        batch.items.forEach((p, i) => p.resolve?.(seqs[i]!));
        for (const l of this.commitListeners) l();
      } catch (err) {
        this.options.onError?.(err);
        for (const p of batch.items) p.reject?.(err);
        this.unsent = batch;
        return false;
      }
    }
    return true;
  }
}

const encoded = (entry: AuditInput): EncodedEntry => (typeof entry === 'string' ? entry : encodeEntry(entry));
