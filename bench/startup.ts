// `npx tsx bench/startup.ts [OTHER_CHECKOUT] [runs]`: how long `airlock` takes to start, here and
// (optionally) in another checkout, taking turns so both see the same machine: `--help`,
// `dev token`, and `serve` until it listens (quick-start bundle, fresh SQLite store). Prints the
// median wall and CPU (user + system, which a busy shared machine inflates far less than wall).
// A checkout whose bin runs dist/ must be built first (`npm run build` there).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensureDevKey } from '../src/identify/index.js';
import { tempDir } from '../src/lib/test-temp-dir.js';
import { REPO } from '../test/support/airlock-process.js';

const [other, runsText = '7'] = process.argv.slice(2);
const runs = Number(runsText);
const dir = tempDir('startup');
const devDir = path.join(dir, 'dev');
await ensureDevKey(devDir);
cpSync(path.join(REPO, 'examples/quickstart/policies'), path.join(dir, 'policies'), { recursive: true });
const config = path.join(dir, 'airlock.yaml');
const yaml = `listen: "127.0.0.1:0"
admin: { listen: "127.0.0.1:0" }
store: "sqlite:./data/airlock.db"
identity: { oidc: [{ issuer: "https://dev.airlock.local", audience: airlock, jwks_file: ./dev/jwks.json }] }
policy: { dir: ./policies }
resources: [{ name: llm, type: openai, upstream: "http://127.0.0.1:9" }]
`;
await import('node:fs/promises').then((fs) => fs.writeFile(config, yaml));

/** Wall and CPU of one run of a command that exits; bash's `time` reports the child's CPU. */
function timed(bin: string, args: readonly string[]): { wall: number; cpu: number } {
  const quoted = [bin, ...args].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%R %U %S'; time node ${quoted} >/dev/null 2>&1`], { encoding: 'utf8' });
  const [wall, user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number) as [number, number, number];
  return { wall: wall * 1000, cpu: (user + sys) * 1000 };
}

/** Wall time from spawning `serve` to its "listening" line, on a fresh store. */
async function serveReady(bin: string): Promise<{ wall: number; cpu: number }> {
  rmSync(path.join(dir, 'data'), { recursive: true, force: true });
  const started = performance.now();
  const proc = spawn(process.execPath, [bin, 'serve', '--config', config], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    proc.stderr!.on('data', (c: Buffer) => ((log += c.toString()), log.includes('airlock is listening') && resolve()));
    proc.once('exit', (code) => reject(new Error(`serve exited ${code}: ${log}`)));
  });
  const wall = performance.now() - started;
  const stat = spawnSync('cat', [`/proc/${proc.pid}/stat`], { encoding: 'utf8' }).stdout;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in ticks of 10 ms
  proc.kill('SIGTERM');
  await new Promise((resolve) => proc.once('exit', resolve));
  return { wall, cpu };
}

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const bins = [['here', path.join(REPO, 'bin/airlock.js')], ...(other ? [[other, path.resolve(other, 'bin/airlock.js')]] : [])] as const;
const cases: [string, (bin: string) => { wall: number; cpu: number } | Promise<{ wall: number; cpu: number }>][] = [
  ['--help', (bin) => timed(bin, ['--help'])],
  ['dev token', (bin) => timed(bin, ['dev', 'token', '--sub', 'alice', '--dir', devDir])],
  ['serve until listening', serveReady],
];
for (const [name, run] of cases) {
  const samples = new Map(bins.map(([label]) => [label, { wall: [] as number[], cpu: [] as number[] }]));
  for (let i = 0; i < runs; i++) {
    for (const [label, bin] of bins) {
      const { wall, cpu } = await run(bin);
      samples.get(label)!.wall.push(wall);
      samples.get(label)!.cpu.push(cpu);
    }
  }
  for (const [label, s] of samples) console.log(`${name.padEnd(22)} ${label.padEnd(24)} wall ${median(s.wall).toFixed(0).padStart(5)} ms   cpu ${median(s.cpu).toFixed(0).padStart(5)} ms`);
}
