// Identify stage, OIDC: is this JWT an access token? An ID token is signed by the same keys, may
// carry the same `aud` (when the gateway's audience is a client id) and would otherwise pass.
//
// The `typ` header must be one the issuer is configured with (default `at+jwt`, RFC 9068, and
// `JWT`, which most IdPs put on their access tokens). Media types compare as RFC 7515 4.1.9 says:
// case-insensitive, `application/` optional. No `typ` counts as `JWT` (RFC 7519 5.1 makes it
// optional). A token that is not declared `at+jwt` is further refused when it carries what only
// ID tokens carry: `nonce`, `at_hash` or `c_hash` (OIDC Core 2, 3.3.2.11), or Keycloak's
// `"typ": "ID"` claim.

const AT_JWT = 'at+jwt';

export function normalizeType(typ: string): string {
  const t = typ.toLowerCase();
  return t.startsWith('application/') ? t.slice('application/'.length) : t;
}

/** The refusal reason for a token that is not an access token of an accepted type, else undefined. */
export function tokenTypeRefusal(
  typ: unknown,
  claims: Readonly<Record<string, unknown>>,
  accepted: ReadonlySet<string>,
): string | undefined {
  if (typ !== undefined && typeof typ !== 'string') return 'token type not accepted';
  const type = typ === undefined ? 'jwt' : normalizeType(typ);
  if (!accepted.has(type)) return 'token type not accepted';
  if (type !== AT_JWT && looksLikeIdToken(claims)) return 'an ID token is not an access token';
  return undefined;
}

function looksLikeIdToken(claims: Readonly<Record<string, unknown>>): boolean {
  return claims['nonce'] !== undefined || claims['at_hash'] !== undefined || claims['c_hash'] !== undefined || claims['typ'] === 'ID';
}
