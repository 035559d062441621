// Delegation, on every surface and the control plane alike: an agent acting for a person (an
// RFC 8693 `act` claim, or a key made with `--on-behalf-of`) is decided once as itself and once as
// the person, and the request is allowed only when both are: the more restrictive effect wins
// (deny, then step-up, then approval), and the obligations of both apply. An agent can never do
// more than the person it acts for, nor more than it may do itself.
import type { ApprovalObligation, Decision, Effect, Obligations } from '../model/decision.js';
import { approvalObligation } from '../decide/outcome.js';
import { principalUid, type Principal } from '../model/principal.js';

const RANK: Readonly<Record<Effect, number>> = { allow: 0, approval_required: 1, mfa_required: 2, deny: 3 };

/** `decideOne` decides for one principal; for a delegated one, it runs for both. */
export function decideDelegated(principal: Principal, decideOne: (p: Principal) => Decision): Decision {
  const own = decideOne(principal);
  return principal.onBehalfOf ? combineDecisions(own, decideOne(principal.onBehalfOf), principal.onBehalfOf) : own;
}

export function combineDecisions(actor: Decision, subject: Decision, subjectPrincipal: Principal): Decision {
  const effect = RANK[subject.effect] > RANK[actor.effect] ? subject.effect : actor.effect;
  const label = `on behalf of ${principalUid(subjectPrincipal)}`;
  const obligations = effect === 'deny' ? {} : combineObligations(actor.obligations, subject.obligations);
  return {
    effect,
    policies: [...new Set([...actor.policies, ...subject.policies])],
    reasons: [...actor.reasons, ...subject.reasons.map((r) => `${label}: ${r}`)],
    obligations,
    policyVersion: actor.policyVersion,
    ...(actor.shadow ? { shadow: actor.shadow } : {}),
  };
}

function combineObligations(a: Obligations, b: Obligations): Obligations {
  const approval = mergeApproval(a.approval, b.approval);
  const mfa = a.mfa || b.mfa ? { ...minAge(a.mfa?.maxAge, b.mfa?.maxAge) } : undefined;
  return { ...(approval ? { approval } : {}), ...(mfa ? { mfa } : {}) };
}

/** Both principals' requirements apply, each met by its own approvers (identical ones once). */
function mergeApproval(a: ApprovalObligation | undefined, b: ApprovalObligation | undefined): ApprovalObligation | undefined {
  if (!a || !b) return a ?? b;
  return approvalObligation([...a.requirements, ...b.requirements]);
}

function minAge(a: number | undefined, b: number | undefined): { maxAge?: number } {
  const ages = [a, b].filter((x): x is number => x !== undefined);
  return ages.length ? { maxAge: Math.min(...ages) } : {};
}
