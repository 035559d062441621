// HTTP load for one target and case: autocannon with keep-alive connections, and the CPU the
// process under test spent per answered request. Latency percentiles come from each response's
// own timing (float ms), not autocannon's histogram, which keeps whole milliseconds and so
// cannot show a sub-millisecond difference between two proxies.
import autocannon, { type Result } from 'autocannon';
import { cpuMicros } from './cpu.js';
import { startNoiseMeter } from './noise.js';

export interface LoadSpec {
  readonly url: string;
  /** POST unless told (a Kubernetes `get` is a GET without a body). */
  readonly method?: 'GET' | 'POST';
  readonly body: string;
  readonly headers?: Record<string, string>;
  readonly seconds: number;
  readonly connections?: number;
  /** The server process whose CPU is charged to the requests; none for "direct". */
  readonly pid?: number;
}

/** One run's raw numbers; several runs (rounds) of a target are summed by `summarize`. */
export interface LoadSample {
  readonly ok: number;
  readonly answered: number;
  readonly seconds: number;
  readonly latencies: number[];
  readonly cpuUs?: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly statusCodes: Record<string, { count: number }>;
  /** CPU cores used by processes outside the benchmark during the run. */
  readonly otherLoad: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuUsPerRequest?: number;
  /** Transport errors, timeouts and non-2xx answers: anything but 0 spoils the row. */
  readonly failures: number;
  readonly failureDetail: string;
  /** Time-weighted mean of the rounds' foreign load, in cores. */
  readonly otherLoad: number;
  /** Slowest and fastest round, req/s: how much the rounds disagree. */
  readonly roundRps: readonly [number, number];
}

export async function runLoad(spec: LoadSpec): Promise<LoadSample> {
  const latencies: number[] = [];
  const cpuBefore = spec.pid ? cpuMicros(spec.pid) : 0;
  const noise = startNoiseMeter();
  const started = performance.now();
  const result = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        method: spec.method ?? 'POST',
        connections: spec.connections ?? 50,
        pipelining: 1,
        duration: spec.seconds,
        headers: { ...(spec.body ? { 'content-type': 'application/json' } : {}), ...spec.headers },
        ...(spec.body ? { body: spec.body } : {}),
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
  const seconds = (performance.now() - started) / 1000;
  return {
    ok: result['2xx'],
    answered: result.requests.total,
    seconds,
    latencies,
    ...(spec.pid ? { cpuUs: cpuMicros(spec.pid) - cpuBefore } : {}),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes: result.statusCodeStats,
    otherLoad: noise(),
  };
}

export function summarize(samples: readonly LoadSample[]): LoadResult {
  const sum = (f: (s: LoadSample) => number) => samples.reduce((acc, s) => acc + f(s), 0);
  const seconds = sum((s) => s.seconds);
  const answered = sum((s) => s.answered);
  const latencies = samples.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const failures = sum((s) => s.errors + s.timeouts + s.non2xx);
  const rounds = samples.map((s) => s.ok / s.seconds);
  const codes: Record<string, number> = {};
  for (const s of samples) for (const [code, { count }] of Object.entries(s.statusCodes)) codes[code] = (codes[code] ?? 0) + count;
  return {
    requests: answered,
    rps: sum((s) => s.ok) / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    ...(samples.every((s) => s.cpuUs !== undefined) && answered ? { cpuUsPerRequest: sum((s) => s.cpuUs ?? 0) / answered } : {}),
    failures,
    failureDetail: failures
      ? `errors ${sum((s) => s.errors)}, timeouts ${sum((s) => s.timeouts)}, non-2xx ${sum((s) => s.non2xx)} (${JSON.stringify(codes)})`
      : '',
    otherLoad: sum((s) => s.otherLoad * s.seconds) / seconds,
    roundRps: [Math.min(...rounds), Math.max(...rounds)],
  };
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
