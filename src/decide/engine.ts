// Decide stage: the Cedar engine behind `decide(input) -> Decision`, one engine per bundle
// version. Policies are pre-parsed once per action slice; a request meets only its slice and
// only the entities it needs; a bounded cache skips Cedar for repeated requests.
import { statefulIsAuthorized } from './cedar.js';
import type { Decision } from '../model/decision.js';
import { formatEntity } from '../model/entity.js';
import { cacheKey, MAX_KEY_LENGTH, visibleContext } from './cache-key.js';
import { LruCache } from '../lib/lru-cache.js';
import { denied, finalize, fromAnswer, type Outcome } from './outcome.js';
import { PolicySlices } from './policy-slices.js';
import { EntityIndex } from './request-entities.js';
import type { BundlePolicy, DecideInput, PolicyBundle, PolicyEngine } from './types.js';

export interface EngineOptions {
  /** Decision cache entries; 0 turns the cache off. */
  readonly cacheSize?: number;
}

export function createEngine(bundle: PolicyBundle, options: EngineOptions = {}): PolicyEngine {
  const byId = new Map<string, BundlePolicy>(bundle.policies.map((p) => [p.id, p]));
  const entities = new EntityIndex(bundle);
  const slices = new PolicySlices(bundle, entities);
  // Keys say everything a cached outcome depends on (cache-key.ts); the cache lives and dies with
  // this engine, so a new bundle version never sees an old outcome.
  const cache = new LruCache<string, Outcome>(options.cacheSize ?? 10_000);
  let disposed = false;

  const evaluate = (input: DecideInput): Outcome => {
    if (disposed) return denied(['policy engine disposed']);
    const slice = slices.forRequest(input);
    if (slice.setId === undefined) return denied([`no permit matched (no policy applies to ${input.request.action} on ${formatEntity(input.request.resource)})`]);
    const context = visibleContext(input.context, slice.contextKeys);
    const key = cacheKey(input, context);
    const hit = cache.get(key);
    if (hit) return hit;
    const { principal, request } = input;
    // The principal cut only on a miss: the key already names the principal and its groups. When
    // nothing is left, the answer is the one Cedar would give, without asking it.
    const set = slices.forPrincipal(slice, input);
    const outcome =
      set.setId === undefined
        ? denied(['no permit matched'], [], true)
        : fromAnswer(
            statefulIsAuthorized({
              principal: { type: principal.type, id: principal.id },
              action: { type: 'Action', id: request.action },
              resource: { type: request.resource.type, id: request.resource.id },
              context,
              preparsedPolicySetId: set.setId,
              entities: entities.forRequest(input),
            }),
            byId,
          );
    if (outcome.cacheable && key.length <= MAX_KEY_LENGTH) cache.set(key, outcome);
    return outcome;
  };

  // A decision depends on the principal only through an MFA obligation (finalize); every other
  // one is built once per cached outcome instead of once per request.
  const shared = new WeakMap<Outcome, Decision>();
  const decisionFor = (outcome: Outcome, input: DecideInput): Decision => {
    if (outcome.allowed && outcome.obligations.mfa) return finalize(outcome, input.principal, bundle.version);
    let decision = shared.get(outcome);
    if (!decision) shared.set(outcome, (decision = finalize(outcome, input.principal, bundle.version)));
    return decision;
  };

  return {
    version: bundle.version,
    decide(input: DecideInput): Decision {
      try {
        return decisionFor(evaluate(input), input);
      } catch (e) {
        // Anything unexpected (a wasm trap, a value Cedar cannot take) is a deny, never a throw
        // that a caller might turn into something else.
        return finalize(denied([`policy engine error: ${(e as Error)?.message ?? String(e)}`]), input.principal, bundle.version);
      }
    },
    dispose(): void {
      disposed = true;
      slices.dispose();
    },
  };
}
