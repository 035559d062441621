// Commits audit batches in a worker thread with its own store connection. A batch's promise
// settles when the worker reports the commit with the batch's seqs. If the worker dies (a crash,
// an out-of-memory), the batches it had not answered are sent again to a new worker, under their
// numbers, so one it had committed before dying is recognised by the store and answered with its
// seqs: the requests waiting on it go on instead of being refused for a record that is in the log.
// A batch whose workers keep dying fails after MAX_ATTEMPTS (its requests are refused with 503).
import { Worker } from 'node:worker_threads';
import { AirlockError } from '../../lib/errors.js';
import type { AuditBatch } from '../../store/ports.js';
import type { BatchAppender } from './appender.js';

const MAX_ATTEMPTS = 3;

interface Reply {
  readonly id: number;
  readonly seqs?: number[];
  readonly error?: string;
  /** With id -1: when the worker tries to open the store again. */
  readonly retryMs?: number;
}

type Message = { readonly lines: string; readonly batch?: AuditBatch } | { readonly close: true };

interface InFlight {
  readonly message: Message;
  attempts: number;
  resolve(seqs: number[]): void;
  reject(err: unknown): void;
}

/**
 * The worker's entry: the compiled worker-main.js beside this file, or, when the gateway runs from
 * its TypeScript sources (tests, `tsx`), a boot file that registers the TypeScript loader first,
 * since a worker thread does not inherit the main thread's loader.
 */
const WORKER_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './worker-boot.mjs' : './worker-main.js', import.meta.url);

export interface WorkerAppenderOptions {
  /** Told each time the worker fails to open the store (it tries again after `retryMs`). */
  readonly onStoreError?: (error: string, retryMs: number) => void;
  /** The worker's entry file (tests wrap the real one to make it fail). */
  readonly boot?: URL;
}

export function workerAppender(url: string, baseDir: string, options: WorkerAppenderOptions = {}): BatchAppender {
  let worker: Worker | undefined;
  let nextId = 0;
  const inFlight = new Map<number, InFlight>();
  const boot = options.boot ?? WORKER_ENTRY;

  const start = (): Worker => {
    // Preloads meant for the main thread (profilers, loaders in execArgv or NODE_OPTIONS) stay there.
    const { NODE_OPTIONS: _ignored, ...env } = process.env;
    const w = new Worker(boot, { workerData: { url, baseDir }, execArgv: [], env });
    let failure = 'audit worker stopped';
    w.on('message', (reply: Reply) => {
      if (reply.id === -1) return options.onStoreError?.(reply.error ?? 'unknown error', reply.retryMs ?? 0);
      const p = inFlight.get(reply.id);
      if (!p) return;
      inFlight.delete(reply.id);
      if (reply.error !== undefined) p.reject(new AirlockError('audit_unavailable', reply.error));
      else p.resolve(reply.seqs ?? []);
    });
    w.on('error', (err) => (failure = `audit worker failed: ${err.message}`));
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      resend(failure);
    });
    return w;
  };

  const post = (id: number, p: InFlight) => {
    p.attempts++;
    worker ??= start();
    worker.postMessage({ id, ...p.message });
  };

  /** After a worker died: what it had not answered goes to the next one, up to MAX_ATTEMPTS each. */
  const resend = (why: string) => {
    for (const [id, p] of inFlight) {
      if ('close' in p.message) {
        inFlight.delete(id);
        p.resolve([]);
      } else if (p.attempts >= MAX_ATTEMPTS) {
        inFlight.delete(id);
        p.reject(new AirlockError('audit_unavailable', why));
      } else {
        post(id, p);
      }
    }
  };

  const send = (message: Message) =>
    new Promise<number[]>((resolve, reject) => {
      const id = nextId++;
      const p: InFlight = { message, attempts: 0, resolve, reject };
      inFlight.set(id, p);
      post(id, p);
    });

  return {
    // One string per batch: a string crosses to the worker as a plain copy, where structured
    // cloning objects would cost several times more. JSON never contains a raw newline, so the
    // encoded entries split back exactly.
    appendBatch: (entries, batch) => send({ lines: entries.join('\n'), ...(batch ? { batch } : {}) }),
    async close() {
      if (!worker) return;
      const w = worker;
      await send({ close: true }).catch(() => undefined);
      worker = undefined;
      await w.terminate();
    },
  };
}
