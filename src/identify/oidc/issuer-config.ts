// Identify stage, OIDC: the per-issuer settings and the fixed verification rules every issuer shares.

/** Which tokens are a client's own (client credentials, no person behind them), and how they are named. */
export interface ClientTokenConfig {
  /** Client tokens become `Agent::"<name>"` instead of `User::"<sub>"`; default true. */
  readonly as_agent?: boolean;
  /**
   * A claim (path) that marks a client token: present as a non-empty string, or equal to
   * `value` when given. Default: the token's `sub` equals its `client_id` (RFC 9068 2.2).
   */
  readonly match?: { readonly claim: string; readonly value?: string };
  /** The claim (path) that names the agent; default "sub". */
  readonly name_claim?: string;
}

/** One trusted issuer, as written under `identity.oidc[]` in the config. */
export interface OidcIssuerConfig {
  readonly issuer: string;
  readonly audience: string;
  /** A JWKS JSON file, read once at start. At most one of jwks_file and jwks_uri. */
  readonly jwks_file?: string;
  /** A JWKS URL. With neither this nor jwks_file, OpenID discovery on `issuer` finds it. */
  readonly jwks_uri?: string;
  /** The claim holding the user's groups, or a dotted path into nested claims; default "groups". */
  readonly groups_claim?: string;
  /** Accepted JWT `typ` header values; default at+jwt (RFC 9068) and JWT (see token-type.ts). */
  readonly token_types?: readonly string[];
  readonly client_tokens?: ClientTokenConfig;
  /**
   * Prefix of this issuer's principal ids and groups (`User::"<ns>:<sub>"`, `Group::"<ns>:<g>"`),
   * so two issuers' subjects never meet. Required when several issuers are configured.
   */
  readonly namespace?: string;
  /** How often a jwks_uri (or discovered) key set is re-read, so removed keys stop working. */
  readonly jwks_refresh_seconds?: number;
}

/**
 * Asymmetric algorithms only. `none` is never accepted by jose's jwtVerify, and HS* are left out
 * on purpose: with a shared secret anyone who can verify can also mint tokens.
 */
export const ALLOWED_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;

/** Seconds of skew allowed on `exp` and `nbf` between the issuer's clock and ours. */
export const CLOCK_TOLERANCE_S = 60;

export const DEFAULT_GROUPS_CLAIM = 'groups';

/** RFC 9068 access tokens, and the plain `JWT` most IdPs put on theirs (Keycloak, Entra, Okta). */
export const DEFAULT_TOKEN_TYPES: readonly string[] = ['at+jwt', 'JWT'];

/** A removed signing key stops working within this (plus one fetch) when the issuer's keys are remote. */
export const DEFAULT_JWKS_REFRESH_S = 60;

/** What a namespace may be: no `:`, so `<ns>:<id>` names exactly one (issuer, id) pair. */
export const NAMESPACE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `amr` values (RFC 8176) that count as multi-factor authentication. */
export const MFA_AMR_VALUES: ReadonlySet<string> = new Set(['mfa', 'otp', 'hwk', 'swk', 'fido']);

/** Tokens longer than this are refused before any parsing: no IdP issues them, attackers might. */
export const MAX_TOKEN_LENGTH = 16 * 1024;
