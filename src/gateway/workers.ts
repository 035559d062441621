// Every core: `serve --workers N` runs N gateway processes on the same ports (node's cluster shares
// the listening sockets), all on the one store, exactly like replicas on one machine: one audit log
// (appends are serialised by the store, so it stays gapless and verifiable), one approval state,
// one set of keys and grants, revocation felt within a second through the same polls. The primary
// process only supervises: a worker that dies is started again (with backoff; what it had
// committed is in the store), SIGTERM and SIGINT drain every worker, SIGHUP reaches them all.
// Work that must happen once per store rather than once per process (signing checkpoints,
// delivering SIEM sinks) runs in the leader, worker 1, and moves with it when it is restarted.
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from '../lib/logger.js';

/** Set in each worker's environment: its number, from 1. */
export const WORKER_ID_ENV = 'AIRLOCK_WORKER_ID';

export type WorkersSetting = number | 'auto';

export function workerCount(setting: WorkersSetting): number {
  return setting === 'auto' ? availableParallelism() : setting;
}

/** True in a process that should do the once-per-store work: the only process, or worker 1. */
export function isLeader(): boolean {
  const id = process.env[WORKER_ID_ENV];
  return id === undefined || id === '1';
}

/** A worker's message once it listens; the primary reports readiness when all have sent it. */
export interface ReadyMessage {
  readonly type: 'airlock-ready';
  readonly data: string;
  readonly admin: string;
}

const MAX_BACKOFF_MS = 10_000;
/** A worker that lived this long had a real failure, not a crash loop: its backoff starts over. */
const STABLE_MS = 30_000;

/**
 * Runs in the primary: forks `count` workers and keeps them running until a signal stops them.
 * Resolves with the exit code for the primary (0 after a drain; 2 when a worker could not start,
 * e.g. an invalid policy bundle, since starting it again cannot help).
 */
export function superviseWorkers(count: number, log: Logger): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    let exitCode = 0;
    let readyCount = 0;
    const everReady = new Set<number>();
    const backoff = new Map<number, number>();
    const workers = new Map<number, Worker>();

    const fork = (id: number) => {
      const started = Date.now();
      const worker = cluster.fork({ [WORKER_ID_ENV]: String(id) });
      workers.set(id, worker);
      worker.on('message', (m: ReadyMessage) => {
        if (m?.type !== 'airlock-ready') return;
        if (!everReady.has(id)) {
          everReady.add(id);
          if (++readyCount === count) log.info({ workers: count, data: m.data, admin: m.admin }, 'airlock workers are listening');
        }
      });
      worker.on('exit', (code, signal) => {
        workers.delete(id);
        if (stopping) {
          if (workers.size === 0) resolve(exitCode);
          return;
        }
        if (!everReady.has(id) && code === 2) {
          log.fatal({ worker: id }, 'a worker could not start; stopping');
          stopping = true;
          exitCode = 2;
          for (const w of workers.values()) w.process.kill('SIGTERM');
          if (workers.size === 0) resolve(exitCode);
          return;
        }
        const delay = Date.now() - started > STABLE_MS ? 100 : Math.min(MAX_BACKOFF_MS, (backoff.get(id) ?? 50) * 2);
        backoff.set(id, delay);
        log.error({ worker: id, code, signal, restart_in_ms: delay }, 'worker died; restarting');
        setTimeout(() => !stopping && fork(id), delay);
      });
    };

    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'draining workers');
      if (workers.size === 0) resolve(0);
      for (const w of workers.values()) w.process.kill('SIGTERM');
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      for (const w of workers.values()) w.process.kill('SIGHUP');
    });
    for (let id = 1; id <= count; id++) fork(id);
  });
}
