// The slice of autocannon's programmatic API the benchmarks use. autocannon ships no types and
// package.json is not ours to change (no @types/autocannon), so this declares just enough.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  export interface Options {
    url: string;
    connections?: number;
    duration?: number;
    pipelining?: number;
    timeout?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
  }

  export interface Result {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    resets: number;
    '2xx': number;
    statusCodeStats: Record<string, { count: number }>;
    requests: { average: number; total: number; sent: number };
    latency: { p50: number; p99: number; average: number };
  }

  /** Emits 'response' (client, statusCode, bytes, responseTimeMs) per answered request. */
  export type Instance = EventEmitter;

  export default function autocannon(opts: Options, cb: (err: Error | null, result: Result) => void): Instance;
}
