// HTTP load for one target and case: autocannon with keep-alive connections, and the CPU the
// process under test spent per answered request. Latency percentiles come from each response's
// own timing (float ms), not autocannon's histogram, which keeps whole milliseconds and so
// cannot show a sub-millisecond difference between two proxies.
import autocannon, { type Result } from 'autocannon';
import { cpuMicros } from './cpu.js';
import { startNoiseMeter } from './noise.js';

export interface LoadSpec {
  readonly url: string;
  readonly body: string;
  readonly headers?: Record<string, string>;
  readonly seconds: number;
  readonly connections?: number;
  /** The server process whose CPU is charged to the requests; none for "direct". */
  readonly pid?: number;
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
  /** CPU cores used by processes outside the benchmark during the run. */
  readonly otherLoad: number;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  const cpuBefore = spec.pid ? cpuMicros(spec.pid) : 0;
  const noise = startNoiseMeter();
  const started = performance.now();
  const result = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        method: 'POST',
        connections: spec.connections ?? 50,
        pipelining: 1,
        duration: spec.seconds,
        headers: { 'content-type': 'application/json', ...spec.headers },
        body: spec.body,
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
  const elapsedS = (performance.now() - started) / 1000;
  const cpu = spec.pid ? cpuMicros(spec.pid) - cpuBefore : undefined;
  const otherLoad = noise();
  const answered = result.requests.total;
  latencies.sort((a, b) => a - b);
  const failures = result.errors + result.timeouts + result.non2xx;
  return {
    requests: answered,
    rps: result['2xx'] / elapsedS,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    ...(cpu !== undefined && answered ? { cpuUsPerRequest: cpu / answered } : {}),
    failures,
    failureDetail: failures
      ? `errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx} (${JSON.stringify(result.statusCodeStats)})`
      : '',
    otherLoad,
  };
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
