// Identify stage, OIDC: turns a verified claims set into the parts of a Principal it carries.

import type { JWTPayload } from 'jose';
import { UNKNOWN_MFA_AGE, type Principal } from '../../model/principal.js';
import { isRunId } from '../../model/run-id.js';
import { MFA_AMR_VALUES } from './issuer-config.js';

/** What a verified token proves, kept in the cache; `mfaAge` is derived from it at each use. */
export interface VerifiedIdentity {
  readonly sub: string;
  readonly groups: readonly string[];
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
export function identityFromClaims(payload: JWTPayload, groupsClaim: string): VerifiedIdentity | undefined {
  const { sub, exp } = payload;
  if (typeof sub !== 'string' || sub === '' || typeof exp !== 'number') return undefined;
  const amr = payload['amr'];
  const authTime = payload['auth_time'];
  const act = payload['act'];
  const actor = typeof act === 'object' && act !== null && typeof (act as { sub?: unknown }).sub === 'string' ? (act as { sub: string }).sub : undefined;
  return {
    ...(actor ? { actor } : {}),
    sub,
    groups: Object.freeze(readGroups(payload[groupsClaim])),
    mfa: Array.isArray(amr) && amr.some((m) => typeof m === 'string' && MFA_AMR_VALUES.has(m)),
    authTime: typeof authTime === 'number' && Number.isFinite(authTime) ? authTime : undefined,
    exp,
    ...(isRunId(payload['run_id']) ? { runId: payload['run_id'] } : {}),
  };
}

/** IdPs send an array, or a single string for one group; anything not a string is ignored. */
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
    type: 'User',
    id: id.sub,
    groups: id.groups,
    mfa: id.mfa,
    mfaAge,
    authMethod: 'oidc',
    expiresAt: id.exp,
    ...(id.runId ? { runId: id.runId } : {}),
  };
  // A token-exchange token (RFC 8693) names the agent in `act`: the agent is the principal, acting
  // for the user. The MFA the token proves is the user's, not the agent's.
  if (!id.actor) return user;
  return { type: 'Agent', id: id.actor, groups: [], mfa: false, mfaAge: UNKNOWN_MFA_AGE, authMethod: 'oidc', expiresAt: id.exp, onBehalfOf: user, ...(id.runId ? { runId: id.runId } : {}) };
}
