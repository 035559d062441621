// The HTTP part of the benchmark: one upstream, and five ways to reach it under the same load:
// direct, through the bare proxy, through Airlock with every stage on, through Airlock whose
// audit log is written without holding the request for its commit (audit.mode async), and
// through Airlock with two worker processes. The async one splits Airlock's gap to the bare proxy
// in two: what strict durability's wait costs, and what the stages' CPU costs. Each target gets a short warm-up (JIT, connection pools, decision and
// token caches) per case, then the targets take turns in short rounds: on a shared 2-core machine
// a neighbour's burst then lands on all of them alike instead of on whichever target happened to
// be running, and the ratios stay fair.
import { rm } from 'node:fs/promises';
import { startAirlockTarget } from './airlock-target.js';
import { runLoad, summarize, type LoadResult, type LoadSample } from './load.js';
import { startTsChild, stopChild } from './processes.js';

export type CaseName = 'json' | 'stream' | 'json, 1 conn';
export type TargetName = 'direct' | 'bare proxy' | 'airlock' | 'airlock, async audit' | 'airlock, 2 workers';

const JSON_BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
const STREAM_BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });

// The issue's two cases at 50 connections, where p50 is mostly queueing (about connections /
// throughput), plus one connection with nothing queued: the latency a request itself adds.
const CASES: readonly { name: CaseName; body: string; connections: number; share: number }[] = [
  { name: 'json', body: JSON_BODY, connections: 50, share: 1 },
  { name: 'stream', body: STREAM_BODY, connections: 50, share: 1 },
  { name: 'json, 1 conn', body: JSON_BODY, connections: 1, share: 0.3 },
];

interface Target {
  readonly name: TargetName;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly pid?: number;
}

export interface HttpMeasurement {
  readonly target: TargetName;
  readonly case: CaseName;
  readonly result: LoadResult;
}

const ROUNDS = 5;
// V8 takes about ten seconds of load to finish optimising a gateway's code (measured: Airlock went
// 1.1k, 1.9k, 2.2k, 2.2k req/s in consecutive 5-second windows from a cold start, the bare proxy
// settles sooner). Every target gets the same warm-up before the first case, so the rounds compare
// steady states, not how fast each process compiles.
const JIT_WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 12);

export async function runHttpSuite(seconds: number, log: (line: string) => void): Promise<HttpMeasurement[]> {
  const upstream = await startTsChild('src/dev/demo-upstream.ts', { PORT: '0' });
  const bare = await startTsChild('bench/bare-proxy.ts', { PORT: '0', UPSTREAM: upstream.url });
  const gateway = await startAirlockTarget(upstream.url);
  const asyncGateway = await startAirlockTarget(upstream.url, { auditMode: 'async' });
  // Two worker processes on one port: CPU per request (summed over the primary and its workers)
  // says what spreading over cores costs; on 2 cores shared with the load generator, throughput cannot show it.
  const workers = await startAirlockTarget(upstream.url, { workers: 2 });
  log(`upstream ${upstream.url} (pid ${upstream.proc.pid}), bare proxy ${bare.url} (pid ${bare.proc.pid}), airlock ${gateway.airlock.dataUrl} (pid ${gateway.pid}), async ${asyncGateway.airlock.dataUrl} (pid ${asyncGateway.pid})`);
  const targets: Target[] = [
    { name: 'direct', url: `${upstream.url}/v1/chat/completions`, headers: {} },
    { name: 'bare proxy', url: `${bare.url}/v1/chat/completions`, headers: {}, pid: bare.proc.pid! },
    { name: 'airlock', url: gateway.url, headers: gateway.headers, pid: gateway.pid },
    { name: 'airlock, async audit', url: asyncGateway.url, headers: asyncGateway.headers, pid: asyncGateway.pid },
    { name: 'airlock, 2 workers', url: workers.url, headers: workers.headers, pid: workers.pid },
  ];
  try {
    for (const t of targets) await expectOk(t);
    log(`warm-up: ${JIT_WARMUP_SECONDS} s of JSON load per target`);
    for (const t of targets) await runLoad({ url: t.url, body: JSON_BODY, headers: t.headers, connections: 50, seconds: JIT_WARMUP_SECONDS });
    const out: HttpMeasurement[] = [];
    for (const c of CASES) {
      const total = Math.max(1, Math.round(seconds * c.share));
      const slice = Math.max(1, Math.round(total / ROUNDS));
      const specs = targets.map((t) => ({ url: t.url, body: c.body, headers: t.headers, connections: c.connections, ...(t.pid ? { pid: t.pid } : {}) }));
      for (const spec of specs) await runLoad({ ...spec, seconds: 1 });
      const samples: LoadSample[][] = targets.map(() => []);
      for (let round = 0; round < Math.ceil(total / slice); round++) {
        for (const [i, spec] of specs.entries()) samples[i]!.push(await runLoad({ ...spec, seconds: slice }));
      }
      for (const [i, t] of targets.entries()) {
        const result = summarize(samples[i]!);
        log(`${t.name} ${c.name}: ${Math.round(result.rps)} req/s, p50 ${result.p50Ms.toFixed(2)} ms${result.failures ? `, FAILURES: ${result.failureDetail}` : ''}`);
        out.push({ target: t.name, case: c.name, result });
      }
    }
    return out;
  } finally {
    const gateways = [gateway, asyncGateway, workers];
    await Promise.all([...gateways.map((g) => g.airlock.stop()), stopChild(bare.proc), stopChild(upstream.proc)]);
    await Promise.all(gateways.map((g) => rm(g.airlock.dir, { recursive: true, force: true })));
  }
}

/** One request first: a target that answers 401 or 404 would otherwise "benchmark" its refusals. */
async function expectOk(t: Target): Promise<void> {
  const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...t.headers }, body: JSON_BODY });
  const text = await res.text();
  if (res.status !== 200 || !text.includes('chat.completion')) throw new Error(`${t.name} answered ${res.status}: ${text.slice(0, 300)}`);
}
