// `npx tsx bench/threads.ts [seconds]`: the gateway's CPU per request, thread by thread, under
// the benchmark's JSON load: the request thread, the audit worker and V8's helper threads (GC,
// compilers). Read from /proc/<pid>/task/*/stat, so it counts time on the CPU only; V8's sampling
// profiler (bench/profile.ts) also charges a thread for the time it was preempted, which on a
// busy 2-core machine inflates whatever was running when another thread woke up.
import { startAirlockTarget } from './airlock-target.js';
import { threadCpuMicros } from './cpu.js';
import { runLoad } from './load.js';
import { killAll, startTsChild, stopChild } from './processes.js';

const seconds = Number(process.argv[2] ?? 6);
const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

async function main(): Promise<void> {
  const upstream = await startTsChild('src/dev/demo-upstream.ts', { PORT: '0' });
  const gw = await startAirlockTarget(upstream.url);
  const spec = { url: gw.url, body, headers: gw.headers, pid: gw.pid };
  await runLoad({ ...spec, seconds: 2 });
  const before = threadCpuMicros(gw.pid);
  const r = await runLoad({ ...spec, seconds });
  const after = threadCpuMicros(gw.pid);
  process.stdout.write(`${Math.round(r.ok / r.seconds)} req/s, ${((r.cpuUs ?? 0) / r.ok).toFixed(1)} µs CPU per request in all\n`);
  // The first thread is the request thread; the worker that spends the most besides is the audit writer.
  const rows = [...after].map(([tid, us]) => ({ tid, perRequest: (us - (before.get(tid) ?? 0)) / r.ok })).filter((t) => t.perRequest > 0.05);
  for (const t of rows) process.stdout.write(`thread ${t.tid}${t.tid === String(gw.pid) ? ' (requests)' : ''}: ${t.perRequest.toFixed(1)} µs per request\n`);
  await gw.airlock.stop();
  await stopChild(upstream.proc);
}

main()
  .then(() => killAll())
  .catch((err: unknown) => {
    killAll();
    process.stderr.write(`threads failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
