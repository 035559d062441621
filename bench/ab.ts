// `npx tsx bench/ab.ts OTHER_CHECKOUT [rounds] [seconds]`: this checkout's gateway against another
// checkout's (say `git worktree add /tmp/base main`, with node_modules linked in and, since its
// bin runs dist/, `npm run build` run there), both beside the bare proxy under the benchmark's
// JSON load. All three get the same warm-up, then take turns in
// short rounds; it prints req/s, the share of the bare proxy's, and CPU per request on the request
// thread and on every other thread (audit worker, V8's helpers), then the per-round difference in
// share of bare with a rough 95 % interval. On these shared machines a comparison means something
// only when it is interleaved like this, and only when that interval excludes zero.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { startAirlockTarget } from './airlock-target.js';
import { threadCpuMicros } from './cpu.js';
import { runLoad } from './load.js';
import { killAll, startTsChild, stopChild } from './processes.js';

const [other, rounds = '5', seconds = '3'] = process.argv.slice(2);
const WARM_UP_SECONDS = 15;
const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

interface Target {
  readonly name: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly pid: number;
}

async function main(): Promise<void> {
  if (!other) throw new Error('usage: npx tsx bench/ab.ts OTHER_CHECKOUT [rounds] [seconds]');
  const upstream = await startTsChild('src/dev/demo-upstream.ts', { PORT: '0' });
  const bare = await startTsChild('bench/bare-proxy.ts', { PORT: '0', UPSTREAM: upstream.url });
  const base = await startAirlockTarget(upstream.url, { bin: path.resolve(other, 'bin/airlock.js') });
  const head = await startAirlockTarget(upstream.url);
  const targets: Target[] = [
    { name: 'bare proxy', url: `${bare.url}/v1/chat/completions`, headers: {}, pid: bare.proc.pid! },
    { name: `airlock at ${other}`, url: base.url, headers: base.headers, pid: base.pid },
    { name: 'airlock here', url: head.url, headers: head.headers, pid: head.pid },
  ];
  for (const t of targets) await runLoad({ ...t, body, seconds: WARM_UP_SECONDS });
  const sums = targets.map(() => ({ ok: 0, seconds: 0, main: 0, other: 0 }));
  // Per round, here's share of bare minus the other checkout's: the rounds vary far more than
  // the versions do, so only the spread of this difference says whether a change is real.
  const gains: number[] = [];
  for (let r = 0; r < Number(rounds); r++) {
    const rates: number[] = [];
    for (const [i, t] of targets.entries()) {
      const before = threadCpuMicros(t.pid);
      const result = await runLoad({ ...t, body, seconds: Number(seconds) });
      const sum = sums[i]!;
      for (const [tid, us] of threadCpuMicros(t.pid)) {
        const spent = us - (before.get(tid) ?? 0);
        if (tid === String(t.pid)) sum.main += spent;
        else sum.other += spent;
      }
      sum.ok += result.ok;
      sum.seconds += result.seconds;
      rates.push(result.ok / result.seconds);
    }
    gains.push((100 * (rates[2]! - rates[1]!)) / rates[0]!);
  }
  const bareRate = sums[0]!.ok / sums[0]!.seconds;
  for (const [i, t] of targets.entries()) {
    const s = sums[i]!;
    const rate = s.ok / s.seconds;
    process.stdout.write(
      `${t.name}: ${Math.round(rate)} req/s (${((100 * rate) / bareRate).toFixed(1)} % of bare), ` +
        `request thread ${(s.main / s.ok).toFixed(1)} µs, other threads ${(s.other / s.ok).toFixed(1)} µs CPU per request\n`,
    );
  }
  const { mean, halfWidth } = meanWithInterval(gains);
  process.stdout.write(
    `here minus ${other}, share of bare per round: ${mean.toFixed(1)} ± ${halfWidth.toFixed(1)} points (about 95 %; ` +
      `rounds ${gains.map((g) => g.toFixed(1)).join(', ')})\n`,
  );
  await Promise.all([base.airlock.stop(), head.airlock.stop(), stopChild(bare.proc), stopChild(upstream.proc)]);
  await Promise.all([base, head].map((g) => rm(g.airlock.dir, { recursive: true, force: true })));
}

/** Mean and the half-width of a rough 95 % interval (two standard errors). */
function meanWithInterval(xs: readonly number[]): { mean: number; halfWidth: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.length > 1 ? xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1) : NaN;
  return { mean, halfWidth: 2 * Math.sqrt(variance / xs.length) };
}

main()
  .then(() => killAll())
  .catch((err: unknown) => {
    killAll();
    process.stderr.write(`ab failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
