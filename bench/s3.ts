// The datasets benchmark: 1 MB object GETs and PUTs with the AWS SDK, straight to an s3rver store
// and through Airlock in front of the same store (MB/s, and CPU µs per request of the gateway, or
// of the store for the direct rows), then one 1 GB object up and down through Airlock while its
// resident memory is sampled: the bodies must stream, never sit whole in memory.
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { tempDir } from '../src/lib/test-temp-dir.js';
import { runCli, startAirlock } from '../test/support/airlock-process.js';
import { cpuMicros } from './cpu.js';
import { startTsChild, stopChild, track } from './processes.js';
import type { Check, Row } from './report.js';

const MB = 1024 * 1024;
const CONCURRENCY = Number(process.env.S3_BENCH_CONCURRENCY ?? 8);
const BIG = 1024 * MB;

interface Rate {
  readonly mbPerSecond: number;
  readonly requestsPerSecond: number;
  readonly cpuUsPerRequest: number;
}

/** Resident memory of a process in bytes (VmRSS). */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

async function drain(body: unknown): Promise<number> {
  let n = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) n += chunk.length;
  return n;
}

/** `CONCURRENCY` loops of one operation for `seconds`; CPU of `pid` per request. */
async function measure(seconds: number, pid: number, op: (i: number) => Promise<void>): Promise<Rate> {
  let done = 0;
  const cpu0 = cpuMicros(pid);
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, lane) => {
      for (let i = lane; performance.now() < until; i += CONCURRENCY) {
        await op(i);
        done++;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  return { mbPerSecond: done / elapsed, requestsPerSecond: done / elapsed, cpuUsPerRequest: (cpuMicros(pid) - cpu0) / done };
}

/** Peak RSS growth of `pid` over its level before `transfer` ran. */
async function peakGrowth(pid: number, transfer: () => Promise<void>): Promise<{ growth: number; seconds: number }> {
  const base = rss(pid);
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, rss(pid))), 50);
  const t0 = performance.now();
  try {
    await transfer();
  } finally {
    clearInterval(timer);
  }
  return { growth: Math.max(0, Math.max(peak, rss(pid)) - base), seconds: (performance.now() - t0) / 1000 };
}

export async function benchS3(seconds: number, log: (line: string) => void): Promise<{ rows: Row[]; checks: Check[] }> {
  const store = await startTsChild('bench/s3-store-child.ts', { S3_BENCH_DIR: tempDir('s3-bench') });
  const airlock = await startAirlock({
    policies: { 'bench.cedar': '@id("bench") permit (principal in Group::"bench", action, resource in Resource::"data");' },
    resources: [{ name: 'data', type: 's3', upstream: store.url, inject: { aws: { access_key_id: 'S3RVER', secret_access_key: 'S3RVER' } } }],
    config: { limits: { listeners: { request_timeout_ms: 0 } } },
  });
  track(airlock.proc);
  try {
    const key = await runCli(['keys', 'create', '--agent', 'bench', '--groups', 'bench', '--s3', '--config', airlock.configFile]);
    const id = /AWS_ACCESS_KEY_ID=(\S+)/.exec(key.stdout)![1]!;
    const secret = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(key.stdout)![1]!;
    const client = (endpoint: string, accessKeyId: string, secretAccessKey: string) =>
      new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
    const targets = [
      { name: 'direct to s3rver', client: client(store.url, 'S3RVER', 'S3RVER'), pid: store.proc.pid!, cpuOf: 'store' },
      { name: 'airlock', client: client(`${airlock.dataUrl}/data`, id, secret), pid: airlock.proc.pid!, cpuOf: 'gateway' },
    ];
    const body = randomBytes(MB);
    await targets[0]!.client.send(new PutObjectCommand({ Bucket: 'bench', Key: 'get-1mb', Body: body }));
    const rates = new Map<string, Rate[]>();
    // Rounds alternate the targets, so a burst of other load on the shared machine hits both.
    for (let round = 0; round < 2; round++) {
      for (const t of targets) {
        for (const c of ['PUT', 'GET'] as const) {
          log(`s3: ${c} 1 MB, ${t.name}, round ${round + 1}`);
          const r = await measure(seconds / 2, t.pid, async (i) => {
            if (c === 'PUT') await t.client.send(new PutObjectCommand({ Bucket: 'bench', Key: `put-${i % 32}`, Body: body }));
            else await drain((await t.client.send(new GetObjectCommand({ Bucket: 'bench', Key: 'get-1mb' }))).Body);
          });
          rates.set(`${t.name}/${c}`, [...(rates.get(`${t.name}/${c}`) ?? []), r]);
        }
      }
    }
    const mean = (rs: Rate[], f: (r: Rate) => number) => rs.reduce((s, r) => s + f(r), 0) / rs.length;
    const rows: Row[] = [];
    const checks: Check[] = [];
    for (const c of ['PUT', 'GET'] as const) {
      for (const t of targets) {
        const rs = rates.get(`${t.name}/${c}`)!;
        rows.push({
          target: `s3 ${t.name}`,
          case: `${c} 1 MB, ${CONCURRENCY} at once`,
          rate: mean(rs, (r) => r.requestsPerSecond),
          p50Ms: NaN,
          p99Ms: NaN,
          cpuUs: mean(rs, (r) => r.cpuUsPerRequest),
          note: `${mean(rs, (r) => r.mbPerSecond).toFixed(1)} MB/s; CPU is the ${t.cpuOf}'s`,
        });
      }
      const ratio = mean(rates.get(`airlock/${c}`)!, (r) => r.mbPerSecond) / mean(rates.get(`direct to s3rver/${c}`)!, (r) => r.mbPerSecond);
      checks.push({ name: `s3 airlock / direct throughput, ${c} 1 MB`, value: `${(ratio * 100).toFixed(1)} %`, target: '≥ 70 %', pass: ratio >= 0.7 });
    }

    const gateway = targets[1]!;
    log('s3: a 1 GB object up through airlock (aws-chunked, streamed)');
    const up = await peakGrowth(gateway.pid, async () => {
      async function* chunks() {
        for (let sent = 0; sent < BIG; sent += MB) yield body;
      }
      await gateway.client.send(new PutObjectCommand({ Bucket: 'bench', Key: 'big', Body: Readable.from(chunks()), ContentLength: BIG }));
    });
    log('s3: the 1 GB object down through airlock');
    const down = await peakGrowth(gateway.pid, async () => {
      const n = await drain((await gateway.client.send(new GetObjectCommand({ Bucket: 'bench', Key: 'big' }))).Body);
      if (n !== BIG) throw new Error(`the 1 GB GET returned ${n} bytes`);
    });
    for (const [dir, r] of [['PUT', up], ['GET', down]] as const) {
      rows.push({ target: 's3 airlock', case: `${dir} 1 GB, one stream`, rate: undefined, p50Ms: r.seconds * 1000, p99Ms: NaN, note: `${(BIG / MB / r.seconds).toFixed(1)} MB/s; gateway RSS +${(r.growth / MB).toFixed(1)} MB` });
      checks.push({ name: `s3 gateway RSS growth during a 1 GB ${dir}`, value: `${(r.growth / MB).toFixed(1)} MB`, target: '< 64 MB', pass: r.growth < 64 * MB });
    }
    for (const t of targets) t.client.destroy();
    return { rows, checks };
  } finally {
    await airlock.stop();
    await stopChild(store.proc);
  }
}
