// Commits audit batches in a worker thread with its own store connection. A batch's promise
// settles when the worker reports the commit; if the worker dies, every batch in flight fails
// (the requests waiting on them are refused with 503) and the next batch starts a new worker.
import { Worker } from 'node:worker_threads';
import { AirlockError } from '../../lib/errors.js';
import type { BatchAppender } from './appender.js';

interface Reply {
  readonly id: number;
  readonly seqs?: number[];
  readonly error?: string;
}

interface Pending {
  resolve(seqs: number[]): void;
  reject(err: unknown): void;
}

/**
 * The worker's entry: the compiled worker-main.js beside this file, or, when the gateway runs from
 * its TypeScript sources (tests, `tsx`), a boot file that registers the TypeScript loader first,
 * since a worker thread does not inherit the main thread's loader.
 */
const WORKER_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './worker-boot.mjs' : './worker-main.js', import.meta.url);

export function workerAppender(url: string, baseDir: string): BatchAppender {
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, Pending>();

  const failAll = (why: string) => {
    for (const p of pending.values()) p.reject(new AirlockError('audit_unavailable', why));
    pending.clear();
  };

  const start = (): Worker => {
    // Preloads meant for the main thread (profilers, loaders in execArgv or NODE_OPTIONS) stay there.
    const { NODE_OPTIONS: _ignored, ...env } = process.env;
    const w = new Worker(WORKER_ENTRY, { workerData: { url, baseDir }, execArgv: [], env });
    w.on('message', (reply: Reply) => {
      if (reply.id === -1) return failAll(`audit store: ${reply.error}`);
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (reply.error !== undefined) p.reject(new AirlockError('audit_unavailable', reply.error));
      else p.resolve(reply.seqs ?? []);
    });
    w.on('error', (err) => failAll(`audit worker failed: ${err.message}`));
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      failAll('audit worker stopped');
    });
    return w;
  };

  const send = (msg: { lines: string } | { close: true }) =>
    new Promise<number[]>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker ??= start();
      worker.postMessage({ id, ...msg });
    });

  return {
    // One string per batch: a string crosses to the worker as a plain copy, where structured
    // cloning objects would cost several times more. JSON never contains a raw newline, so the
    // encoded entries split back exactly.
    appendBatch: (entries) => send({ lines: entries.join('\n') }),
    async close() {
      if (!worker) return;
      const w = worker;
      await send({ close: true }).catch(() => undefined);
      worker = undefined;
      await w.terminate();
    },
  };
}
