// Decide stage, benchmark: decide() latency on a synthetic bundle of N policies spread over
// 20 actions, with cache misses (every request new) and cache hits (the same requests again).
import { bundleFromFiles } from './bundle.js';
import { commonContext } from './context.js';
import { createEngine } from './engine.js';
import type { DecideInput } from './types.js';

export interface DecideBench {
  readonly policies: number;
  /** Bundle parse + engine build (pre-parsing every slice), in milliseconds. */
  readonly loadMs: number;
  readonly missP50Us: number;
  readonly missP99Us: number;
  readonly hitP50Us: number;
  readonly hitP99Us: number;
}

// The synthetic world both the decide and the replay benchmarks draw from.
export const ACTIONS = 20;
export const GROUPS = 50;
export const MODELS = 10;
export const RESOURCES = 3;

/**
 * `count` policies over that world, one in ten a forbid, each pinned to a group, an action and a
 * resource and reading two context keys. With `unscopedEvery`, every such policy has no action
 * scope, so it lands in every action slice.
 */
export function benchPolicies(count: number, unscopedEvery?: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const effect = i % 10 === 9 ? 'forbid' : 'permit';
    const action = unscopedEvery && i % unscopedEvery === unscopedEvery - 1 ? 'action' : `action == Action::"act${i % ACTIONS}"`;
    out.push(
      `@id("p${i}") ${effect} (principal in Group::"g${i % GROUPS}", ${action}, resource in Resource::"r${i % RESOURCES}")\n` +
        `  when { context.model == "m${i % MODELS}" && context.hour >= ${i % 6} };`,
    );
  }
  return out.join('\n');
}

export function benchDecide(policyCount: number, { misses = 2000, hits = 20000 } = {}): DecideBench {
  const started = performance.now();
  const engine = createEngine(bundleFromFiles({ 'bench.cedar': benchPolicies(policyCount, 100) }));
  const loadMs = performance.now() - started;

  const now = new Date('2024-06-03T12:00:00Z');
  const request = (n: number): DecideInput => {
    const principal = { type: 'User' as const, id: `u${n}`, groups: [`g${n % GROUPS}`, `g${(n * 7) % GROUPS}`], mfa: true, mfaAge: 10, authMethod: 'oidc' as const };
    const context = commonContext({ principal, sourceIp: '10.0.0.1', method: 'POST', path: '/v1/chat/completions', now }, { model: `m${n % MODELS}`, stream: false });
    const resourceName = `r${n % RESOURCES}`;
    return {
      principal, context, resourceAttributes: { environment: 'production' },
      request: { action: `act${n % ACTIONS}`, resource: { type: 'Model', id: `${resourceName}/m${n % MODELS}` }, resourceName, context: {} },
    };
  };

  const miss = timeEach(misses, (i) => request(i));
  const inputs = Array.from({ length: 500 }, (_, i) => request(1_000_000 + i));
  for (const d of inputs) engine.decide(d);
  const hit = timeEach(hits, (i) => inputs[i % inputs.length]!);
  engine.dispose();
  return { policies: policyCount, loadMs: round(loadMs), missP50Us: pct(miss, 0.5), missP99Us: pct(miss, 0.99), hitP50Us: pct(hit, 0.5), hitP99Us: pct(hit, 0.99) };

  function timeEach(n: number, make: (i: number) => DecideInput): number[] {
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const d = make(i);
      const t = process.hrtime.bigint();
      engine.decide(d);
      out[i] = Number(process.hrtime.bigint() - t) / 1000;
    }
    return out.sort((a, b) => a - b);
  }
}

function pct(sorted: readonly number[], p: number): number {
  return round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
