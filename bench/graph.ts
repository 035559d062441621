// The access map at scale: a SQLite log filled with N records (default 1,000,000, env
// BENCH_GRAPH_RECORDS) of a realistic mix (people invoking models, runs reading datasets and
// registering models, refusals), then: the map built from scratch; its lag behind the log while
// records arrive at 5,000/s; and lineage queries on a registered model (p50/p99).
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AccessMap } from '../src/lineage/access-map.js';
import { lineageOf } from '../src/lineage/lineage.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { percentile } from './load.js';

export interface GraphBench {
  readonly records: number;
  readonly buildSeconds: number;
  readonly lagP50Ms: number;
  readonly lagMaxMs: number;
  readonly lineageP50Ms: number;
  readonly lineageP99Ms: number;
  readonly nodes: number;
  readonly edges: number;
}

const BATCH = 1000;

function record(i: number, time: string) {
  const run = `run-${Math.floor(i / 10) % 500}`;
  const kind = i % 10;
  const base = { kind: 'decision', time, request_id: randomUUID(), decision: i % 13 ? 'allow' : 'denied', policies: ['p'], policy_version: 'v' };
  if (kind < 6) return { ...base, principal: { type: 'User', id: `user-${i % 997}`, groups: ['ml-eng'] }, action: 'model.invoke', resource: `Model::"llm/model-${i % 20}"` };
  if (kind < 9) {
    const pii = i % 3 === 0;
    return {
      ...base,
      principal: { type: 'Agent', id: `trainer-${i % 50}`, groups: [] },
      action: 'dataset.read',
      resource: `Dataset::"s3/train/${pii ? 'pii' : 'public'}/part-${i % 5000}.parquet"`,
      run_id: run,
      resource_attributes: { sensitivity: pii ? 'pii' : 'public' },
    };
  }
  return { ...base, decision: 'allow', principal: { type: 'Agent', id: 'registry', groups: [] }, action: 'model.register', resource: `Model::"fraud/v${Math.floor(i / 10) % 500}"`, run_id: run, surface: 'control' };
}

async function fill(store: ReturnType<typeof openSqliteStore>, from: number, count: number): Promise<void> {
  const time = new Date().toISOString();
  for (let i = from; i < from + count; i += BATCH) {
    await store.audit.appendAudit(Array.from({ length: Math.min(BATCH, from + count - i) }, (_, j) => record(i + j, time)));
  }
}

export async function benchGraph(records = Number(process.env.BENCH_GRAPH_RECORDS ?? 1_000_000)): Promise<GraphBench> {
  const dir = await mkdtemp(path.join(tmpdir(), 'airlock-bench-graph-'));
  const store = openSqliteStore(path.join(dir, 'airlock.db'));
  try {
    await fill(store, 0, records);
    const map = new AccessMap(store.audit);
    const t0 = performance.now();
    await map.catchUp();
    const buildSeconds = (performance.now() - t0) / 1000;

    // Lag: 5,000 records a second for 5 seconds, in 50-record commits every 10 ms, while the map
    // follows with its usual 500 ms poll; lag is from a commit to the map having folded it in.
    map.follow(500);
    const lags: number[] = [];
    const pending: { seq: number; at: number }[] = [];
    const watcher = setInterval(() => {
      while (pending.length && map.position >= pending[0]!.seq) lags.push(performance.now() - pending.shift()!.at);
    }, 5);
    let next = records;
    const end = performance.now() + 5000;
    while (performance.now() < end) {
      const tick = performance.now();
      const time = new Date().toISOString();
      const stored = await store.audit.appendAudit(Array.from({ length: 50 }, (_, j) => record(next + j, time)));
      next += 50;
      pending.push({ seq: stored.at(-1)!.seq, at: performance.now() });
      await new Promise((r) => setTimeout(r, Math.max(0, 10 - (performance.now() - tick))));
    }
    while (pending.length) await new Promise((r) => setTimeout(r, 20));
    clearInterval(watcher);
    map.close();

    const lineage: number[] = [];
    for (let i = 0; i < 500; i++) {
      const q0 = performance.now();
      lineageOf(map.graph, `Model::"fraud/v${(i * 7) % 500}"`);
      lineage.push(performance.now() - q0);
    }
    lineage.sort((a, b) => a - b);
    lags.sort((a, b) => a - b);
    return {
      records,
      buildSeconds,
      lagP50Ms: percentile(lags, 0.5),
      lagMaxMs: lags.at(-1) ?? NaN,
      lineageP50Ms: percentile(lineage, 0.5),
      lineageP99Ms: percentile(lineage, 0.99),
      ...map.graph.size,
    };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchGraph(Number(process.argv[2] ?? 1_000_000)));
}
