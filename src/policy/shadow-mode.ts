// Policy lifecycle, shadow mode as the gateway wires it: with `policy.shadow_dir` set, the engine
// getter the data and control planes use becomes the live engine shadowed by the candidate
// (shadow-engine.ts), every comparison is counted, and the candidate's version is shown in the
// metrics while it is compared. Without it the live getter is handed back untouched.
import type { GatewayMetrics } from '../admin/metrics.js';
import type { PolicyEngine } from '../decide/index.js';
import type { Logger } from '../lib/logger.js';
import { shadowed } from './shadow-engine.js';
import { ShadowPolicy, type ShadowPolicyOptions } from './shadow-policy.js';

export interface ShadowModeOptions {
  /** The resolved `policy.shadow_dir`; undefined: no shadow mode. */
  readonly dir: string | undefined;
  readonly record: ShadowPolicyOptions['record'];
  readonly log: Logger;
  readonly metrics: Pick<GatewayMetrics, 'shadowDecisions' | 'shadowDisagreements' | 'shadowBundle'>;
  readonly pollMs?: number;
}

export interface ShadowMode {
  readonly engine: () => PolicyEngine;
  close(): void;
}

export async function startShadowMode(live: () => PolicyEngine, opts: ShadowModeOptions): Promise<ShadowMode> {
  if (!opts.dir) return { engine: live, close: () => undefined };
  const { metrics } = opts;
  const policy = await ShadowPolicy.start({
    dir: opts.dir,
    record: opts.record,
    log: opts.log,
    ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
    onChange(version) {
      metrics.shadowBundle.reset();
      if (version) metrics.shadowBundle.set({ version }, 1);
    },
  });
  const engine = shadowed(live, policy.engine, (l, s) => {
    metrics.shadowDecisions.inc({ live: l, shadow: s });
    // A failed shadow decision is counted above (shadow="error"); it is not a disagreement.
    if (s !== 'error' && s !== l) metrics.shadowDisagreements.inc();
  });
  return { engine, close: () => policy.close() };
}
