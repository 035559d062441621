// Policy lifecycle, shadow mode: an engine decorator that decides every request with the live
// bundle and, beside it, with a candidate bundle. The live decision is what the caller gets,
// always, and unchanged; only when the candidate's effect differs is it attached as
// `decision.shadow` (the decision record stores it). Nothing the candidate does (an error, a
// throw from the observer) can reach the live path: a shadow is worth nothing if it can hurt.
import type { DecideInput, PolicyEngine } from '../decide/index.js';
import type { Decision, Effect } from '../model/decision.js';

/** Told of every comparison; `shadow` is 'error' when the candidate could not decide. */
export type ShadowObserver = (live: Effect, shadow: Effect | 'error') => void;

/**
 * `live` and `shadow` are getters (both bundles reload on their own); without a shadow engine
 * the live one is returned as it is. The pair is rebuilt only when either engine changes.
 */
export function shadowed(
  live: () => PolicyEngine,
  shadow: () => PolicyEngine | undefined,
  observe: ShadowObserver = () => undefined,
): () => PolicyEngine {
  let last: { live: PolicyEngine; shadow: PolicyEngine; pair: PolicyEngine } | undefined;
  return () => {
    const l = live();
    let s: PolicyEngine | undefined;
    try {
      s = shadow();
    } catch {
      s = undefined;
    }
    if (!s) return l;
    if (last?.live !== l || last.shadow !== s) last = { live: l, shadow: s, pair: pair(l, s, observe) };
    return last.pair;
  };
}

function pair(live: PolicyEngine, shadow: PolicyEngine, observe: ShadowObserver): PolicyEngine {
  const tell = (a: Effect, b: Effect | 'error') => {
    try {
      observe(a, b);
    } catch {
      // Metrics must not be able to fail a request.
    }
  };
  return {
    version: live.version,
    decide(input: DecideInput): Decision {
      const decision = live.decide(input);
      try {
        const theirs = shadow.decide(input);
        tell(decision.effect, theirs.effect);
        if (theirs.effect === decision.effect) return decision;
        return { ...decision, shadow: { effect: theirs.effect, policies: [...theirs.policies], policyVersion: theirs.policyVersion } };
      } catch {
        tell(decision.effect, 'error');
        return decision;
      }
    },
    dispose(): void {
      live.dispose();
    },
  };
}
