// Identify stage, OIDC: reads a claim by name or by a dotted path into nested claims.
//
// Keycloak puts roles in `realm_access.roles`, Auth0 wants URL-named claims
// (`https://example.com/groups`, dots and all): a claim whose whole name is the path wins, so
// names with dots keep working, and only when there is none is the path walked.

export function readClaim(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let value: unknown = claims;
  for (const step of path.split('.')) {
    // Own properties of plain objects only: `constructor` or `__proto__` in a path reads nothing.
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, step)) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/** A claim that is a non-empty string, else undefined. */
export function stringClaim(claims: Readonly<Record<string, unknown>>, path: string): string | undefined {
  const value = readClaim(claims, path);
  return typeof value === 'string' && value !== '' ? value : undefined;
}
