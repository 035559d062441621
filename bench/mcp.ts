// The MCP part of the benchmark: a tool call through Airlock vs straight to the same server (one
// connection, one call at a time, so p50 is what a call itself adds), the CPU Airlock spends per
// call, and a tools/list of 200+ tools filtered entry by entry (end to end, and the filter alone
// in this process on a decision-cache hit). Run alone with `npx tsx bench/mcp.ts`.
import { Pool } from 'undici';
import { bundleFromFiles, commonContext, createEngine } from '../src/decide/index.js';
import type { ActionRequest } from '../src/model/action-request.js';
import { createLogger } from '../src/lib/logger.js';
import type { Principal } from '../src/model/principal.js';
import { filterList } from '../src/proxies/mcp/list-filter.js';
import { ToolPins } from '../src/proxies/mcp/pins/tool-pins.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { startAirlock } from '../test/support/airlock-process.js';
import { cpuMicros } from './cpu.js';
import { startNoiseMeter } from './noise.js';
import { killAll, startTsChild, stopChild, track } from './processes.js';
import type { Check, Row } from './report.js';
import { renderTable } from './report.js';

const POLICY = `
@id("bench-connect") permit (principal in Group::"agents", action in [Action::"mcp.connect", Action::"tool.list"], resource == Resource::"infra");
@id("bench-tools") permit (principal in Group::"agents", action == Action::"tool.call", resource in Resource::"infra");
@id("bench-no-odd") forbid (principal, action == Action::"tool.call", resource in Resource::"infra") when { context.tool like "tool_*1" };
`;

interface Endpoint {
  readonly name: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly pool: Pool;
  session?: string;
}

async function rpc(e: Endpoint, body: unknown): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18', ...e.headers };
  if (e.session) headers['mcp-session-id'] = e.session;
  const res = await e.pool.request({ path: e.url.pathname, method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.body.text();
  const sid = res.headers['mcp-session-id'];
  if (typeof sid === 'string') e.session = sid;
  return { status: res.statusCode, text };
}

async function open(e: Endpoint): Promise<void> {
  const init = await rpc(e, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } });
  if (init.status !== 200) throw new Error(`${e.name} initialize answered ${init.status}: ${init.text}`);
  await rpc(e, { jsonrpc: '2.0', method: 'notifications/initialized' });
}

const CALL = { name: 'read_logs', arguments: { service: 'api', lines: 1 } };

/** `count` sequential calls; latencies in ms. */
async function run(e: Endpoint, method: string, params: unknown, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const r = await rpc(e, { jsonrpc: '2.0', id: i + 1, method, params });
    out.push(performance.now() - t);
    if (r.status !== 200 || r.text.includes('"error"')) throw new Error(`${e.name} ${method} failed: ${r.status} ${r.text.slice(0, 200)}`);
  }
  return out;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

export interface McpBench {
  readonly rows: Row[];
  readonly checks: Check[];
}

export async function benchMcp(seconds: number, log: (line: string) => void): Promise<McpBench> {
  const server = await startTsChild('bench/mcp-server.ts', {});
  const upstream = `${server.url}/mcp`;
  const airlock = await startAirlock({ policies: { 'bench.cedar': POLICY }, resources: [{ name: 'infra', type: 'mcp', upstream }], env: { AIRLOCK_LOG_LEVEL: 'info' } });
  track(airlock.proc);
  const token = await airlock.token({ sub: 'bench-agent', groups: ['agents'], ttlSeconds: 3600 });
  const direct: Endpoint = { name: 'direct', url: new URL(upstream), headers: {}, pool: new Pool(new URL(upstream).origin, { connections: 1 }) };
  const through: Endpoint = { name: 'airlock', url: new URL(`${airlock.dataUrl}/infra`), headers: { authorization: `Bearer ${token}` }, pool: new Pool(airlock.dataUrl, { connections: 1 }) };
  log(`mcp: server ${upstream} (pid ${server.proc.pid}), airlock ${airlock.dataUrl} (pid ${airlock.proc.pid})`);
  try {
    await open(direct);
    await open(through);
    // Warm-up: JIT, connection, token and decision caches, tool pins.
    for (const e of [direct, through]) {
      await run(e, 'tools/call', CALL, 2000);
      await run(e, 'tools/list', {}, 100);
    }
    const rounds = 5;
    const perRound = Math.max(200, Math.round((seconds * 1000) / rounds));
    const lat: Record<string, number[]> = { direct: [], airlock: [], 'direct list': [], 'airlock list': [] };
    let cpuUs = 0;
    let calls = 0;
    const meter = startNoiseMeter();
    for (let r = 0; r < rounds; r++) {
      lat['direct']!.push(...(await run(direct, 'tools/call', CALL, perRound)));
      const cpu0 = cpuMicros(airlock.proc.pid!);
      lat['airlock']!.push(...(await run(through, 'tools/call', CALL, perRound)));
      cpuUs += cpuMicros(airlock.proc.pid!) - cpu0;
      calls += perRound;
      lat['direct list']!.push(...(await run(direct, 'tools/list', {}, perRound / 10)));
      lat['airlock list']!.push(...(await run(through, 'tools/list', {}, perRound / 10)));
    }
    const other = meter();
    const listed = JSON.parse((await rpc(through, { jsonrpc: '2.0', id: 'n', method: 'tools/list', params: {} })).text) as { result: { tools: unknown[] } };
    const all = JSON.parse((await rpc(direct, { jsonrpc: '2.0', id: 'n', method: 'tools/list', params: {} })).text) as { result: { tools: unknown[] } };
    const filter = await benchFilter(all.result.tools as Record<string, unknown>[]);
    const noise = other > 0.1 ? `other load ${other.toFixed(2)} cores` : '';
    const row = (target: string, kase: string, xs: number[], extra: Partial<Row> = {}): Row => ({ target, case: kase, p50Ms: pct(xs, 50), p99Ms: pct(xs, 99), note: noise, ...extra });
    const rows: Row[] = [
      row('mcp direct', 'tools/call, 1 conn', lat['direct']!),
      row('mcp through airlock', 'tools/call, 1 conn', lat['airlock']!, { cpuUs: cpuUs / calls }),
      row('mcp direct', `tools/list, ${all.result.tools.length} tools`, lat['direct list']!),
      row('mcp through airlock', `tools/list, ${all.result.tools.length} tools`, lat['airlock list']!, { note: [`shows ${listed.result.tools.length}`, noise].filter(Boolean).join('; ') }),
      { target: 'mcp list filter (in process)', case: `${all.result.tools.length} tools, decision-cache hit`, p50Ms: filter.p50Ms, p99Ms: filter.p99Ms },
    ];
    const addedCall = pct(lat['airlock']!, 50) - pct(lat['direct']!, 50);
    const addedList = pct(lat['airlock list']!, 50) - pct(lat['direct list']!, 50);
    const checks: Check[] = [
      { name: 'mcp tools/call added p50, 1 conn', value: `${addedCall.toFixed(3)} ms`, target: '< 1 ms', pass: addedCall < 1 },
      { name: `mcp tools/list filtering p50, ${all.result.tools.length} tools (in process)`, value: `${filter.p50Ms.toFixed(3)} ms`, target: '< 2 ms', pass: filter.p50Ms < 2 },
      { name: `mcp tools/list added p50 end to end, ${all.result.tools.length} tools`, value: `${addedList.toFixed(3)} ms`, target: '< 2 ms', pass: addedList < 2 },
    ];
    return { rows, checks };
  } finally {
    await Promise.all([direct.pool.close(), through.pool.close()]);
    await airlock.stop();
    await stopChild(server.proc);
  }
}

/**
 * filterList alone, as the surface runs it (the common context decideOnly adds, the pins), after
 * warm-up passes: pins known, decisions cached, code optimised.
 */
async function benchFilter(tools: Record<string, unknown>[]): Promise<{ p50Ms: number; p99Ms: number }> {
  const engine = createEngine(bundleFromFiles({ 'bench.cedar': POLICY }));
  const pins = new ToolPins({ store: openSqliteStore(':memory:').toolPins, bundlePins: () => ({}), record: () => {}, alert: () => {}, log: createLogger('silent'), refreshMs: 3_600_000 });
  const agent: Principal = { type: 'Agent', id: 'bench', groups: ['agents'], mfa: false, mfaAge: 1e9, authMethod: 'api_key' };
  const decide = (request: ActionRequest) =>
    engine.decide({ principal: agent, request, context: commonContext({ principal: agent, sourceIp: '127.0.0.1', method: 'POST', path: '/', now: new Date() }, request.context) });
  const deps = { resource: 'infra', pins, decide };
  for (let i = 0; i < 100; i++) await filterList('tools', { tools }, deps);
  const times: number[] = [];
  for (let i = 0; i < 500; i++) {
    const t = performance.now();
    await filterList('tools', { tools }, deps);
    times.push(performance.now() - t);
  }
  return { p50Ms: pct(times, 50), p99Ms: pct(times, 99) };
}

if (process.argv[1]?.endsWith('bench/mcp.ts')) {
  const log = (l: string) => process.stderr.write(`bench: ${l}\n`);
  benchMcp(Number(process.env.BENCH_SECONDS ?? 10), log)
    .then(({ rows, checks }) => {
      process.stdout.write(`\n${renderTable(rows, checks)}\n`);
      killAll();
      process.exit(0);
    })
    .catch((err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      killAll();
      process.exit(1);
    });
}
