// Identify stage, OIDC: where an issuer's key set is read from: its jwks_uri, or the jwks_uri
// named by its OpenID discovery document (`<issuer>/.well-known/openid-configuration`).
//
// The discovered jwks_uri is kept until a key-set fetch fails; then the next fetch asks the
// discovery document again, so an IdP that moves its keys is followed. The document must name the
// configured issuer exactly (OpenID Connect Discovery 1.0, 4.3): a document for another issuer
// could point at keys that issuer controls.

import type { JSONWebKeySet } from 'jose';

const TIMEOUT_MS = 5_000;

export interface KeySource {
  /** The current key set; rejects with a one-line message (no secrets: these are public documents). */
  read(): Promise<JSONWebKeySet>;
  /** Where the keys come from, for log lines. */
  describe(): string;
}

export function jwksUriSource(uri: string): KeySource {
  return { read: () => getJson(uri, 'JWKS') as Promise<JSONWebKeySet>, describe: () => uri };
}

export function discoverySource(issuer: string): KeySource {
  const documentUrl = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let jwksUri: string | undefined;
  return {
    describe: () => jwksUri ?? documentUrl,
    async read() {
      jwksUri ??= await discoverJwksUri(documentUrl, issuer);
      try {
        return (await getJson(jwksUri, 'JWKS')) as JSONWebKeySet;
      } catch (err) {
        jwksUri = undefined;
        throw err;
      }
    },
  };
}

async function discoverJwksUri(documentUrl: string, issuer: string): Promise<string> {
  const doc = await getJson(documentUrl, 'OpenID discovery');
  if (doc === null || typeof doc !== 'object') throw new Error('OpenID discovery: not a JSON object');
  const { issuer: named, jwks_uri: uri } = doc as Record<string, unknown>;
  if (named !== issuer) throw new Error('OpenID discovery: the document names another issuer');
  if (typeof uri !== 'string' || !URL.canParse(uri) || !/^https?:$/.test(new URL(uri).protocol)) {
    throw new Error('OpenID discovery: no http(s) jwks_uri');
  }
  return uri;
}

async function getJson(url: string, what: string): Promise<unknown> {
  // No redirects: a key set is only trusted from the address configured or discovered.
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error', headers: { accept: 'application/json' } });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`${what} fetch failed: HTTP ${res.status}`);
  }
  try {
    return await res.json();
  } catch {
    throw new Error(`${what} fetch failed: not JSON`);
  }
}
