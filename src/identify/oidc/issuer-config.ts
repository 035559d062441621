// Identify stage, OIDC: the per-issuer settings and the fixed verification rules every issuer shares.

/** One trusted issuer, as written under `identity.oidc[]` in the config. */
export interface OidcIssuerConfig {
  readonly issuer: string;
  readonly audience: string;
  /** A JWKS JSON file, read once at start. Exactly one of jwks_file and jwks_uri. */
  readonly jwks_file?: string;
  /** A JWKS URL, fetched on first use, cached, and refetched on an unknown `kid`. */
  readonly jwks_uri?: string;
  /** The claim holding the user's groups; default "groups". */
  readonly groups_claim?: string;
}

/**
 * Asymmetric algorithms only. `none` is never accepted by jose's jwtVerify, and HS* are left out
 * on purpose: with a shared secret anyone who can verify can also mint tokens.
 */
export const ALLOWED_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;

/** Seconds of skew allowed on `exp` and `nbf` between the issuer's clock and ours. */
export const CLOCK_TOLERANCE_S = 60;

export const DEFAULT_GROUPS_CLAIM = 'groups';

/** `amr` values (RFC 8176) that count as multi-factor authentication. */
export const MFA_AMR_VALUES: ReadonlySet<string> = new Set(['mfa', 'otp', 'hwk', 'swk', 'fido']);

/** Tokens longer than this are refused before any parsing: no IdP issues them, attackers might. */
export const MAX_TOKEN_LENGTH = 16 * 1024;
