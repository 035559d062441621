// Retry delays for a failing sink: exponential, capped, with jitter so that several gateway
// replicas (or several sinks to one SIEM) that failed together do not retry in lockstep.
import type { BackoffOptions } from './types.js';

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 30_000 };

/**
 * The delay before retry number `failures` (1 = first retry): initialMs·2^(failures-1), capped
 * at maxMs, then drawn uniformly from its upper half ("equal jitter"): never zero, so a dead
 * sink cannot spin, and never more than the cap.
 */
export function backoffDelay(failures: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exp = Math.min(Math.max(failures - 1, 0), 30);
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** exp);
  return ceiling / 2 + random() * (ceiling / 2);
}
