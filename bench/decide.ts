// The decide stage alone: one engine over a synthetic bundle of N policies, timed call by call.
// "miss" gives every call a new principal, so each one reaches Cedar (the first request of a
// user, or any request after a bundle reload); "hit" repeats one request, the steady state of a
// client that keeps calling the same model. Both run the whole `engine.decide()`: cache key,
// entities, Cedar, obligations.
import { rm } from 'node:fs/promises';
import { commonContext, createEngine, loadBundle, type DecideInput } from '../src/decide/index.js';
import { UNKNOWN_MFA_AGE, type Principal } from '../src/model/principal.js';
import { writeSyntheticBundle } from './decide-bundle.js';
import { percentile } from './load.js';

export interface DecideResult {
  readonly policies: number;
  readonly mode: 'miss' | 'hit';
  readonly calls: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly meanUs: number;
}

function input(userId: string): DecideInput {
  const principal: Principal = { type: 'User', id: userId, groups: ['ml-eng', 'team-3'], mfa: false, mfaAge: UNKNOWN_MFA_AGE, authMethod: 'oidc' };
  const path = '/v1/chat/completions';
  return {
    principal,
    request: { action: 'model.invoke', resource: { type: 'Model', id: 'llm/gpt-4o-mini' }, resourceName: 'llm', context: {} },
    context: { ...commonContext({ principal, sourceIp: '127.0.0.1', method: 'POST', path, now: new Date() }), model: 'gpt-4o-mini', stream: false },
    resourceAttributes: { environment: 'bench' },
  };
}

export async function benchDecide(policies: number, mode: 'miss' | 'hit', calls: number): Promise<DecideResult> {
  const dir = await writeSyntheticBundle(policies);
  const engine = createEngine(await loadBundle(dir));
  try {
    // Distinct principals are built before timing, so the loop times decide() and nothing else.
    const inputs = mode === 'miss' ? Array.from({ length: calls + 200 }, (_, i) => input(`user-${i}`)) : [input('bench-user')];
    const at = (i: number) => inputs[mode === 'miss' ? i : 0]!;
    const first = engine.decide(at(0));
    if (first.effect !== 'allow') throw new Error(`decide bench: expected allow, got ${first.effect} (${first.reasons.join('; ')})`);
    for (let i = 1; i < 200; i++) engine.decide(at(i)); // warm the JIT (and, for hits, nothing else)
    const us = new Float64Array(calls);
    for (let i = 0; i < calls; i++) {
      const inp = at(200 + i);
      const t0 = process.hrtime.bigint();
      engine.decide(inp);
      us[i] = Number(process.hrtime.bigint() - t0) / 1000;
    }
    const sorted = [...us].sort((a, b) => a - b);
    return {
      policies,
      mode,
      calls,
      p50Us: percentile(sorted, 0.5),
      p99Us: percentile(sorted, 0.99),
      meanUs: sorted.reduce((s, v) => s + v, 0) / calls,
    };
  } finally {
    engine.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}
