// WAL checkpoints off the commit path. SQLite checkpoints inside the commit that takes the WAL past
// `wal_autocheckpoint` pages (1,000 by default): that commit, usually an audit batch, then waits
// for the copy back into the database file and its sync (6-8 ms here, about every 250 batches),
// and so does every request waiting on the batch; it was most of the p99 of admission reviews.
// A gateway's store instead leaves checkpoints to a thread of its own, running PASSIVE checkpoints
// (which wait for no reader or writer) four times a second; the automatic checkpoint stays on
// every connection as a backstop, at a WAL large enough never to be reached while the thread runs.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Pages (4 KB) past which a commit still checkpoints by itself: should the thread stop. */
export const BACKSTOP_CHECKPOINT_PAGES = 16_000;
const INTERVAL_MS = 250;

// Plain CommonJS evaluated in the thread: it needs only the driver, so it runs the same from the
// TypeScript sources and from dist/ (a module file would need the TypeScript loader in tests).
const THREAD = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: the next tick tries again */ }
}, workerData.intervalMs);
parentPort.once('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export interface WalCheckpointer {
  stop(): Promise<void>;
}

/** `onError`: told when the thread fails (checkpoints then fall back to the backstop in commits). */
export function startWalCheckpointer(file: string, onError: (message: string) => void, intervalMs = INTERVAL_MS): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  // Preloads meant for the main thread (profilers, loaders) stay there.
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const worker = new Worker(THREAD, { eval: true, workerData: { file, driver, intervalMs }, execArgv: [], env });
  // A thread that fails leaves the backstop; it never takes the gateway down, but it is said.
  worker.on('error', (err) => onError(err.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      worker.postMessage('stop');
      await exited;
    },
  };
}
