// Identify stage, API keys: turns a presented key into an Agent principal, or refuses it.

import { AirlockError } from '../../lib/errors.js';
import { UNKNOWN_MFA_AGE, type Principal } from '../../model/principal.js';
import { isWellFormedApiKey } from './key-format.js';
import type { LiveKeys } from './live-keys.js';
import type { ApiKeyRecord } from '../../store/ports.js';

/** Refusal reasons are fixed strings: nothing of the key reaches a message or a log. */
export function principalForApiKey(keys: LiveKeys, key: string): Principal {
  if (!isWellFormedApiKey(key)) throw new AirlockError('unauthenticated', 'malformed API key');
  // Checked before the lookup, so the answer is the same for every key (live-keys.ts says why 503).
  if (keys.stale()) throw new AirlockError('store_unavailable', 'API keys cannot be checked: the key store is unreachable; retry later');
  const record = keys.lookup(key);
  // Revoked, expired and never-issued keys get the same answer: a caller learns nothing by probing.
  if (record === undefined) throw new AirlockError('unauthenticated', 'unknown, revoked or expired API key');
  return agentPrincipal(record);
}

/** The principal a live key record stands for. */
export function agentPrincipal(record: ApiKeyRecord): Principal {
  return {
    type: 'Agent',
    id: record.agent,
    groups: record.groups,
    mfa: false,
    mfaAge: UNKNOWN_MFA_AGE,
    authMethod: 'api_key',
    ...(record.expiresAt !== null ? { expiresAt: Math.floor(record.expiresAt / 1000) } : {}),
    // The user's groups come from the bundle's entities.json (and their grants): a key proves no more.
    ...(record.onBehalfOf ? { onBehalfOf: { type: 'User', id: record.onBehalfOf, groups: [], mfa: false, mfaAge: UNKNOWN_MFA_AGE, authMethod: 'api_key' } } : {}),
  };
}
