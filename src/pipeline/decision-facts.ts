// What a decision says beyond its effect: the refusal a client sees, what a span may carry, and
// the fields lineage reads back from the decision record (the run, inherited attributes).
import { bearerChallenge } from '../lib/problem.js';
import type { ActionRequest } from '../model/action-request.js';
import type { Decision } from '../model/decision.js';
import { formatEntity } from '../model/entity.js';
import type { Principal } from '../model/principal.js';
import { isRunId } from '../model/run-id.js';
import type { AuthorizeInput, DecisionSite, Refusal } from './stage-contract.js';

export const INVALID_RUN = Symbol('invalid run id');

/** The run a request belongs to: its `Airlock-Run-Id` header, else its credential's run. */
export function runOf(ex: DecisionSite, principal: Principal): string | undefined | typeof INVALID_RUN {
  const header = ex.req.headers['airlock-run-id'];
  if (header === undefined) return principal.runId;
  return isRunId(header) ? header : INVALID_RUN;
}

/**
 * The surface's fields, plus what lineage reads back from the log: the run, and the attributes the
 * resource inherited from its ancestors (a dataset's prefix says `sensitivity`).
 */
export function recordFields(input: AuthorizeInput, run: string | undefined | typeof INVALID_RUN): Readonly<Record<string, unknown>> | undefined {
  const inherited = input.request.ancestors?.length ? Object.assign({}, ...[...input.request.ancestors].reverse().map((a) => a.attrs)) : undefined;
  if (typeof run !== 'string' && !inherited) return input.fields;
  return { ...input.fields, ...(typeof run === 'string' ? { run_id: run } : {}), ...(inherited && Object.keys(inherited).length ? { resource_attributes: inherited } : {}) };
}

/** What a span may say of a decision: never a credential, a body or a context value. */
export function decisionAttributes(request: ActionRequest, decision: Decision) {
  return {
    'airlock.action': request.action,
    'airlock.resource': formatEntity(request.resource),
    'airlock.decision': decision.effect,
    'airlock.policies': decision.policies,
    'airlock.policy_version': decision.policyVersion,
  };
}

/** Maps a decision that is not `allow` to the refusal the client sees. */
export function refusalFor(decision: Decision): Refusal | undefined {
  switch (decision.effect) {
    case 'allow':
      return undefined;
    case 'mfa_required':
      return {
        code: 'mfa_required',
        detail: 'this action needs a recent multi-factor sign-in',
        headers: bearerChallenge('mfa_required', decision.obligations.mfa?.maxAge),
      };
    case 'approval_required':
      return { code: 'approval_required', detail: 'this action needs an approval' };
    default:
      return { code: 'denied', detail: decision.reasons[0] ?? 'denied by policy' };
  }
}
