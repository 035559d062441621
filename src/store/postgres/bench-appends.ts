// Durable audit appends per second on PostgreSQL, the way replicas write them: several Stores
// (one pool each), each with several writers committing batches at once, all contending for the
// one head row. It runs in a throwaway database next to the one in the URL, never in real data.
// Run alone: node --import tsx src/store/postgres/bench-appends.ts [url] [seconds]
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { AuditEntry } from '../ports.js';
import { openPostgresStore } from './index.js';
import { createScratchDatabase } from './scratch-database.js';

export interface AppendBenchOptions {
  /** Records per appendAudit call (default 300). */
  readonly batch?: number;
  /** Concurrent writers per replica (default 3). */
  readonly writers?: number;
  /** Stores on the same database, as separate replicas would be (default 2). */
  readonly replicas?: number;
}

/** A decision record of the usual size (about 450 bytes as a line). */
const decision = (i: number): AuditEntry => ({
  kind: 'decision',
  time: new Date().toISOString(),
  request_id: `req-${i.toString(36)}-${Math.random().toString(36).slice(2, 10)}`,
  principal: { type: 'Agent', id: 'support-bot', groups: ['agents', 'support'] },
  action: 'model.invoke',
  resource: 'Model::"openai/gpt-4o-mini"',
  request: { method: 'POST', path: '/v1/chat/completions', body_sha256: 'ab'.repeat(32) },
  decision: { effect: 'allow', reasons: ['policy0', 'policy3'], policy_version: 'sha256:0f3a9c' },
  context: { tokens_estimate: 812, stream: true, mfa: false },
  redacted: ['request.headers.authorization'],
});

/** Records per second made durable over `seconds`, through batched appends from several replicas. */
export async function benchPostgresAppends(url: string, seconds: number, opts: AppendBenchOptions = {}): Promise<number> {
  const { batch = 300, writers = 3, replicas = 2 } = opts;
  const scratch = await createScratchDatabase(url, 'airlock_bench');
  try {
    const stores = await Promise.all(Array.from({ length: replicas }, () => openPostgresStore(scratch.url, { poolSize: writers + 1 })));
    try {
      let n = 0;
      let done = 0;
      const deadline = Date.now() + seconds * 1000;
      // Each loop is one audit writer: its batches carry its id and number, as the gateway's do.
      const loop = async (storeIndex: number) => {
        const writer = randomUUID();
        for (let b = 0; Date.now() < deadline; b++) {
          const entries = Array.from({ length: batch }, () => decision(n++));
          await stores[storeIndex]!.audit.appendAudit(entries, { writer, n: b });
          done += batch;
        }
      };
      const started = Date.now();
      await Promise.all(stores.flatMap((_, s) => Array.from({ length: writers }, () => loop(s))));
      return done / ((Date.now() - started) / 1000);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  } finally {
    await scratch.drop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const url = process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const seconds = Number(process.argv[3] ?? 5);
  const perSecond = await benchPostgresAppends(url, seconds);
  process.stdout.write(`postgres audit appends: ${Math.round(perSecond).toLocaleString('en-US')} records/s\n`);
}
