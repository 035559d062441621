// The one table `npm run bench` prints: HTTP rows, decide rows, the audit row, then the checks
// against the targets, each PASS or MISS.
export interface Row {
  readonly target: string;
  readonly case: string;
  /** Requests (or records) per second; none for the decide rows, which time single calls. */
  readonly rate?: number;
  /** Latencies in ms; shown in µs below 1 ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuUs?: number;
  readonly note?: string;
}

export interface Check {
  readonly name: string;
  readonly value: string;
  readonly target: string;
  readonly pass: boolean;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (v: number) => {
  if (Number.isNaN(v)) return 'n/a';
  if (v >= 1) return `${v.toFixed(2)} ms`;
  return v < 0.01 ? `${(v * 1000).toFixed(1)} µs` : `${Math.round(v * 1000)} µs`;
};

export function renderTable(rows: readonly Row[], checks: readonly Check[]): string {
  const lines = [
    '| target | case | req/s | p50 | p99 | CPU µs/req | note |',
    '|---|---|---:|---:|---:|---:|---|',
    ...rows.map((r) => `| ${r.target} | ${r.case} | ${r.rate === undefined ? '-' : int(r.rate)} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${r.cpuUs === undefined ? '-' : r.cpuUs.toFixed(1)} | ${r.note ?? ''} |`),
    '',
    '| check | measured | target | result |',
    '|---|---:|---|---|',
    ...checks.map((c) => `| ${c.name} | ${c.value} | ${c.target} | ${c.pass ? 'PASS' : 'MISS'} |`),
  ];
  return lines.join('\n');
}
