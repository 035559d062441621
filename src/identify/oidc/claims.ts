// Identify stage, OIDC: turns a verified claims set into the parts of a Principal it carries.
//
// A person's token is `User::"<sub>"`; a client's own token (client credentials: no person behind
// it) is `Agent::"<name>"`, so a policy for people never matches a script by accident. With a
// namespace the id and every group get `<namespace>:` in front: two issuers' `alice` (or `admins`)
// are then two principals (groups), with their own grants, approvals and cache entries.

import type { JWTPayload } from 'jose';
import type { CedarRecord } from '../../model/entity.js';
import { UNKNOWN_MFA_AGE, type Principal, type PrincipalType } from '../../model/principal.js';
import { isRunId } from '../../model/run-id.js';
import { readClaim, stringClaim } from './claim-path.js';
import { DEFAULT_GROUPS_CLAIM, MFA_AMR_VALUES, type ClientTokenConfig } from './issuer-config.js';

/** How one issuer's claims become a principal; built once from its config. */
export interface ClaimRules {
  readonly groupsClaim: string;
  readonly namespace?: string;
  readonly clientTokens?: ClientTokenConfig;
}

/** What a verified token proves, kept in the cache; `mfaAge` is derived from it at each use. */
export interface VerifiedIdentity {
  readonly type: PrincipalType;
  readonly id: string;
  readonly groups: readonly string[];
  /** `context.scope`, `context.client_id`, `context.azp`. */
  readonly facts: CedarRecord;
  readonly mfa: boolean;
  /** Unix seconds, when the token says. */
  readonly authTime: number | undefined;
  /** Unix seconds. */
  readonly exp: number;
  /** A `run_id` claim: the token belongs to one pipeline run. */
  readonly runId?: string;
  /** RFC 8693 `act.sub`: the agent acting for `sub` (the current actor; nested prior actors are history). */
  readonly actor?: string;
}

/** Returns undefined when a claim the principal needs is missing or of the wrong type. */
export function identityFromClaims(payload: JWTPayload, r: ClaimRules): VerifiedIdentity | undefined {
  const { sub, exp } = payload;
  if (typeof sub !== 'string' || sub === '' || typeof exp !== 'number') return undefined;
  const agent = r.clientTokens?.as_agent !== false && isClientToken(payload, r.clientTokens);
  const name = agent ? stringClaim(payload, r.clientTokens?.name_claim ?? 'sub') : sub;
  if (name === undefined) return undefined;
  const ns = r.namespace === undefined ? '' : `${r.namespace}:`;
  const amr = payload['amr'];
  const authTime = payload['auth_time'];
  const act = payload['act'];
  const actor = typeof act === 'object' && act !== null && typeof (act as { sub?: unknown }).sub === 'string' ? (act as { sub: string }).sub : undefined;
  return {
    // An RFC 8693 `act` names the agent acting for this subject, in the issuer's namespace too.
    ...(actor ? { actor: ns + actor } : {}),
    type: agent ? 'Agent' : 'User',
    id: ns + name,
    groups: Object.freeze(readGroups(readClaim(payload, r.groupsClaim || DEFAULT_GROUPS_CLAIM)).map((g) => ns + g)),
    facts: Object.freeze(tokenFacts(payload)),
    mfa: Array.isArray(amr) && amr.some((m) => typeof m === 'string' && MFA_AMR_VALUES.has(m)),
    authTime: typeof authTime === 'number' && Number.isFinite(authTime) ? authTime : undefined,
    exp,
    ...(isRunId(payload['run_id']) ? { runId: payload['run_id'] } : {}),
  };
}

/** RFC 9068 2.2: a client's own token has `sub` = `client_id`; IdPs that differ are configured. */
function isClientToken(payload: JWTPayload, config: ClientTokenConfig | undefined): boolean {
  const match = config?.match;
  if (!match) return typeof payload['client_id'] === 'string' && payload['client_id'] === payload.sub;
  return match.value === undefined ? stringClaim(payload, match.claim) !== undefined : readClaim(payload, match.claim) === match.value;
}

/**
 * The token's grant for policies: `scope` always (a set; empty when the token has none), from
 * `scope` or `scp`, each a space-separated string (RFC 8693, Entra) or an array (Okta);
 * `client_id` and `azp` when the token has them.
 */
function tokenFacts(payload: JWTPayload): CedarRecord {
  const facts: CedarRecord = { scope: readScopes(payload['scope'] ?? payload['scp']) };
  if (typeof payload['client_id'] === 'string') facts['client_id'] = payload['client_id'];
  if (typeof payload.azp === 'string') facts['azp'] = payload.azp;
  return facts;
}

function readScopes(value: unknown): string[] {
  const list = typeof value === 'string' ? value.split(/\s+/) : Array.isArray(value) ? value : [];
  return [...new Set(list.filter((s): s is string => typeof s === 'string' && s !== ''))];
}

/** IdPs send an array, or a single string for one group; anything else gives no groups. */
function readGroups(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (!Array.isArray(value)) return [];
  return [...new Set(value.filter((g): g is string => typeof g === 'string' && g !== ''))];
}

export function principalFromIdentity(id: VerifiedIdentity, nowMs: number): Principal {
  // A future auth_time (skewed IdP clock) counts as "just now", never as a negative age.
  const mfaAge =
    id.authTime === undefined ? UNKNOWN_MFA_AGE : Math.max(0, Math.floor(nowMs / 1000 - id.authTime));
  const user: Principal = {
    type: id.type,
    id: id.id,
    groups: id.groups,
    mfa: id.mfa,
    mfaAge,
    authMethod: 'oidc',
    expiresAt: id.exp,
    facts: id.facts,
    ...(id.runId ? { runId: id.runId } : {}),
  };
  // A token-exchange token (RFC 8693) names the agent in `act`: the agent is the principal, acting
  // for the user. The MFA the token proves is the user's, not the agent's.
  if (!id.actor) return user;
  return { type: 'Agent', id: id.actor, groups: [], mfa: false, mfaAge: UNKNOWN_MFA_AGE, authMethod: 'oidc', expiresAt: id.exp, onBehalfOf: user, ...(id.runId ? { runId: id.runId } : {}) };
}
