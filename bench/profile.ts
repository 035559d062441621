// `npx tsx bench/profile.ts [json|stream] [seconds]`: where Airlock's CPU goes under the
// benchmark's load. Starts the upstream and a gateway with V8's sampling profiler on (see
// cpu-prof-preload.ts), loads it, stops it so the profile is written, and prints the hot spots
// by function and by place. Not part of `npm run bench`: profiling
// slows the gateway, so its numbers are for the shares, not for the table.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAirlockTarget } from './airlock-target.js';
import { summarizeProfile } from './cpu-profile.js';
import { runLoad, summarize } from './load.js';
import { killAll, REPO, startTsChild, stopChild } from './processes.js';

const kind = process.argv[2] === 'stream' ? 'stream' : 'json';
const seconds = Number(process.argv[3] ?? 8);
const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...(kind === 'stream' ? { stream: true } : {}) });

async function main(): Promise<void> {
  const profDir = await mkdtemp(path.join(tmpdir(), 'airlock-prof-'));
  const upstream = await startTsChild('src/dev/demo-upstream.ts', { PORT: '0' });
  const preload = path.join(REPO, 'bench/cpu-prof-preload.ts');
  const gw = await startAirlockTarget(upstream.url, {
    env: { NODE_OPTIONS: `--import ${import.meta.resolve('tsx')} --import ${preload}`, CPU_PROF_DIR: profDir },
  });
  const spec = { url: gw.url, body, headers: gw.headers, pid: gw.pid };
  const warm = await runLoad({ ...spec, seconds: 1 });
  const r = summarize([await runLoad({ ...spec, seconds })]);
  // The profile covers the warm-up too, so its requests count in the per-request figures.
  const profiled = warm.answered + r.requests;
  process.stdout.write(`airlock ${kind} under the profiler: ${Math.round(r.rps)} req/s, ${r.cpuUsPerRequest?.toFixed(1)} µs CPU/req, ${r.requests} requests\n`);
  await gw.airlock.stop();
  await stopChild(upstream.proc);
  await rm(gw.airlock.dir, { recursive: true, force: true });
  const file = (await readdir(profDir)).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${profDir}`);
  const s = summarizeProfile(path.join(profDir, file));
  const perReq = (ms: number) => ((ms * 1000) / profiled).toFixed(1);
  process.stdout.write(`profile ${path.join(profDir, file)}: ${(s.totalMs - s.idleMs).toFixed(0)} ms busy, ${s.idleMs.toFixed(0)} ms idle (includes startup and warm-up)\n\n`);
  process.stdout.write('| self time by place | ms | share | µs/req |\n|---|---:|---:|---:|\n');
  for (const h of s.places) process.stdout.write(`| ${h.name} | ${h.ms.toFixed(0)} | ${(h.share * 100).toFixed(1)} % | ${perReq(h.ms)} |\n`);
  process.stdout.write('\n| self time by function | ms | share | µs/req |\n|---|---:|---:|---:|\n');
  for (const h of s.functions) process.stdout.write(`| ${h.name.replace(/\|/g, '\\|')} | ${h.ms.toFixed(0)} | ${(h.share * 100).toFixed(1)} % | ${perReq(h.ms)} |\n`);
}

main()
  .then(() => killAll())
  .catch((err: unknown) => {
    killAll();
    process.stderr.write(`profile failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
