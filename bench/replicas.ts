// Replicas on PostgreSQL against one gateway on SQLite, on the same upstream: throughput and p50
// of 1 SQLite gateway (50 connections) and of 2 PostgreSQL replicas sharing one database (25
// connections each, at once), plus durable audit appends per second on PostgreSQL. Skipped when
// no PostgreSQL answers (AIRLOCK_TEST_PG_URL, else the local server).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { benchPostgresAppends } from '../src/store/postgres/bench-appends.js';
import { createScratchDatabase } from '../src/store/postgres/scratch-database.js';
import { startAirlock, type AirlockOptions, type RunningAirlock } from '../test/support/airlock-process.js';
import { runLoad, summarize, type LoadResult } from './load.js';
import { startTsChild, stopChild, track } from './processes.js';

export interface ReplicaBench {
  readonly sqlite: LoadResult;
  readonly postgres: LoadResult;
  readonly pgAppendsPerSecond: number;
}

const POLICY = '@id("bench") permit (principal in Group::"ml-eng", action == Action::"model.invoke", resource in Resource::"llm");';
const BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

export async function reachablePostgres(): Promise<string | undefined> {
  const url = process.env.AIRLOCK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return url;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function load(targets: RunningAirlock[], seconds: number, connections: number): Promise<LoadResult> {
  const token = await targets[0]!.token({ sub: 'bench', groups: ['ml-eng'], ttlSeconds: 3600 });
  const spec = (t: RunningAirlock, s: number) => ({
    url: `${t.dataUrl}/llm/v1/chat/completions`,
    body: BODY,
    headers: { authorization: `Bearer ${token}` },
    seconds: s,
    connections: Math.round(connections / targets.length),
  });
  await Promise.all(targets.map((t) => runLoad(spec(t, 1))));
  const samples = await Promise.all(targets.map((t) => runLoad(spec(t, seconds))));
  // Concurrent runs: the rate is their sum, so scale one duration (not the sum of durations).
  const merged = summarize(samples);
  return { ...merged, rps: merged.rps * targets.length };
}

export async function benchReplicas(url: string, seconds: number): Promise<ReplicaBench> {
  const upstream = await startTsChild('src/dev/demo-upstream.ts', { PORT: '0' });
  const db = await createScratchDatabase(url, 'airlock_bench');
  const dir = await mkdtemp(path.join(tmpdir(), 'airlock-bench-replicas-'));
  const base = (extra: Partial<AirlockOptions>): AirlockOptions => ({
    policies: { 'bench.cedar': POLICY },
    resources: [{ name: 'llm', type: 'openai', upstream: upstream.url }],
    env: { AIRLOCK_LOG_LEVEL: 'info' },
    ...extra,
  });
  const started: RunningAirlock[] = [];
  const start = async (o: AirlockOptions) => {
    const a = await startAirlock(o);
    track(a.proc);
    started.push(a);
    return a;
  };
  try {
    const single = await start(base({}));
    const sqlite = await load([single], seconds, 50);
    await single.stop();
    const replicas = [await start(base({ dir, config: { store: db.url } })), await start(base({ dir, config: { store: db.url } }))];
    const postgres = await load(replicas, seconds, 50);
    await Promise.all(replicas.map((r) => r.stop()));
    const pgAppendsPerSecond = await benchPostgresAppends(url, Math.min(seconds, 5));
    return { sqlite, postgres, pgAppendsPerSecond };
  } finally {
    await Promise.all(started.map((a) => a.stop()));
    await stopChild(upstream.proc);
    await db.drop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
