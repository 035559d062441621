// The identify stage's result: who is asking, as Cedar will see them.
import type { CedarRecord } from './entity.js';

/** `K8sUser`: the Kubernetes user an admission review names (`userInfo.username`). */
export type PrincipalType = 'User' | 'Agent' | 'K8sUser';

export interface Principal {
  readonly type: PrincipalType;
  readonly id: string;
  /** Group ids; each becomes a parent `Group::"<id>"` of the principal entity. */
  readonly groups: readonly string[];
  /** True when the credential proves multi-factor authentication (JWT `amr`). */
  readonly mfa: boolean;
  /** Seconds since the user authenticated (`auth_time`); very large when unknown. */
  readonly mfaAge: number;
  readonly authMethod: 'oidc' | 'api_key' | 'slack' | 'kubernetes';
  /** Unix seconds after which the credential is no longer accepted. */
  readonly expiresAt?: number;
  /** Context keys the credential itself proves (an OIDC token's `scope`, `client_id`, `azp`). */
  readonly facts?: CedarRecord;
  /** The pipeline run the credential was issued for (a `run_id` claim): its accesses are lineage. */
  readonly runId?: string;
  /**
   * Delegation (RFC 8693 `act`, or a key made with --on-behalf-of): this principal (the actor, an
   * agent) acts for that one (the subject, a person). Both are decided; both must be allowed.
   */
  readonly onBehalfOf?: Principal;
}

/** `mfa_age` when the token carries no `auth_time`: old enough to fail any max age. */
export const UNKNOWN_MFA_AGE = 2_147_483_647;

export function principalUid(p: Pick<Principal, 'type' | 'id'>): string {
  return `${p.type}::${JSON.stringify(p.id)}`;
}
