// The Kubernetes part of the benchmark. (1) A `get` of one pod, at one connection, straight to the
// stand-in API server and through a real `airlock serve` (a JWT, a Cedar policy, strict durable
// audit): p50/p99 and the gateway's CPU per request; the added p50 is the proxy's own
// cost, with nothing queued. (2) Admission reviews at a fixed 200 per second, each a new GPU pod
// of a team with a quota (so every review decides, reserves in the store and is recorded): the
// latency each waits for its answer, and the rate kept. The stand-in API server runs in its own
// process (bench/kube-upstream.ts).
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { startAirlock } from '../test/support/airlock-process.js';
import { admissionReview, gpuWorkload } from '../test/support/admission-review.js';
import { testCerts } from '../test/support/tls-certs.js';
import { cpuMicros } from './cpu.js';
import { percentile, runLoad, summarize, type LoadResult, type LoadSample } from './load.js';
import { startNoiseMeter } from './noise.js';
import { startTsChild, track } from './processes.js';

const TOKEN = 'bench-gateway-token';
const POLICIES = {
  'k8s.cedar': `
@id("read-ml") permit (principal in Group::"ml-eng", action in [Action::"k8s.get", Action::"k8s.list"], resource in Namespace::"cluster/ml");
@id("admit") permit (principal, action == Action::"k8s.admit", resource in Resource::"cluster") when { ["registry.internal"].containsAll(context.registries) };
`,
};

export interface KubernetesBench {
  readonly direct: LoadResult;
  readonly proxy: LoadResult;
  readonly admission: { readonly sent: number; readonly perSecond: number; readonly p50Ms: number; readonly p99Ms: number; readonly cpuUs: number; readonly refused: number; readonly otherLoad: number };
}

const ROUNDS = 3;

export async function benchKubernetes(seconds: number, log: (line: string) => void): Promise<KubernetesBench> {
  const upstream = await startTsChild('bench/kube-upstream.ts', { TOKEN, PORT: '0' });
  const certs = testCerts();
  const airlock = await startAirlock({
    policies: POLICIES,
    resources: [{ name: 'cluster', type: 'kubernetes', upstream: upstream.url, inject: { headers: { Authorization: `Bearer ${TOKEN}` } }, quotas: [{ team: 'bench', gpus: 1_000_000_000 }], reconcile_seconds: 0 }],
    config: { admission: { listen: '127.0.0.1:0', cert_file: certs.certFile, key_file: certs.keyFile }, audit: { signing_key_file: './data/audit.key', origin: 'bench.airlock.local/audit' } },
    env: { AIRLOCK_LOG_LEVEL: 'info' },
  });
  track(airlock.proc);
  const pid = airlock.proc.pid!;
  const token = await airlock.token({ sub: 'bench-user', groups: ['ml-eng'], ttlSeconds: 3600 });
  const path = '/api/v1/namespaces/ml/pods/p1';
  const direct = { url: `${upstream.url}${path}`, headers: { authorization: `Bearer ${TOKEN}` } };
  const proxy = { url: `${airlock.dataUrl}/cluster${path}`, headers: { authorization: `Bearer ${token}` }, pid };
  try {
    log(`kubernetes: get through ${airlock.dataUrl}/cluster vs ${upstream.url}, 1 connection; warm-up 5 s each`);
    for (const t of [direct, proxy]) await runLoad({ ...t, method: 'GET', body: '', connections: 1, seconds: 5 });
    const samples: Record<'direct' | 'proxy', LoadSample[]> = { direct: [], proxy: [] };
    for (let round = 0; round < ROUNDS; round++) {
      samples.direct.push(await runLoad({ ...direct, method: 'GET', body: '', connections: 1, seconds: Math.max(1, seconds / ROUNDS) }));
      samples.proxy.push(await runLoad({ ...proxy, method: 'GET', body: '', connections: 1, seconds: Math.max(1, seconds / ROUNDS) }));
    }
    log('kubernetes: admission reviews at 200/s (warm-up 3 s)');
    await reviewsAtRate(airlock.admissionUrl!, 200, 3, 'warm');
    const admission = await reviewsAtRate(airlock.admissionUrl!, 200, seconds, 'run', pid);
    return { direct: summarize(samples.direct), proxy: summarize(samples.proxy), admission };
  } finally {
    await airlock.stop();
    upstream.proc.kill('SIGTERM');
  }
}

/** Sends `rate` reviews a second for `seconds`, on schedule whatever the answers take; each is timed to its answer. */
async function reviewsAtRate(url: string, rate: number, seconds: number, prefix: string, pid?: number): Promise<KubernetesBench['admission']> {
  const pool = new Pool(url, { connections: 16, connect: { ca: readFileSync(testCerts().caFile) } });
  const latencies: number[] = [];
  let refused = 0;
  const noise = startNoiseMeter();
  const cpuBefore = pid ? cpuMicros(pid) : 0;
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const body = JSON.stringify(admissionReview('pods', gpuWorkload('pods', `${prefix}-${i}`, 1, { team: 'bench' })));
    const sent = performance.now();
    pending.push(
      pool.request({ method: 'POST', path: '/admission/cluster', headers: { 'content-type': 'application/json' }, body }).then(async (res) => {
        const answer = (await res.body.json()) as { response?: { allowed?: boolean } };
        latencies.push(performance.now() - sent);
        if (answer.response?.allowed !== true) refused++;
      }),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  const cpuUs = pid ? (cpuMicros(pid) - cpuBefore) / total : 0;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return { sent: total, perSecond: total / elapsed, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), cpuUs, refused, otherLoad: noise() };
}
