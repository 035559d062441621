// A real OpenID provider (the `oidc-provider` package) for end-to-end identity tests: it issues
// RFC 9068 JWT access tokens for one resource, by client credentials and by the authorization
// code flow (with its development login and consent pages, driven over HTTP with a cookie jar),
// and it can publish a new signing key or withdraw one while it runs, as an operator rotating
// keys would (the provider's key set is fixed per instance, so a new instance takes over the port).
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';

export const RESOURCE = 'urn:airlock:gateway';
/** The web client's id is also the API audience, so an ID token has the "right" `aud`. */
export const WEB_CLIENT = 'airlock-web';
export const SCOPES = 'models:invoke models:list';

export interface IdpTokens {
  readonly access_token: string;
  readonly id_token?: string;
}

export interface RunningIdp {
  readonly issuer: string;
  /** A client-credentials access token for `clientId` (registered on the fly) with `scope`. */
  clientToken(clientId: string, scope: string): Promise<string>;
  /** Signs in `login` through the authorization code flow (PKCE, nonce): access and ID token. */
  userTokens(login: string): Promise<IdpTokens>;
  /** Publishes a new signing key and signs with it from now on; the kid. */
  rotate(): Promise<string>;
  /** Stops publishing the key `kid`. */
  withdraw(kid: string): Promise<void>;
  close(): Promise<void>;
}

/** Realm roles by login, put into access tokens as Keycloak does (`realm_access.roles`). */
const ROLES: Record<string, string[]> = { alice: ['ml-eng'], lee: ['ml-leads'] };
const REDIRECT = 'http://127.0.0.1/cb';

interface SigningKey {
  readonly kid: string;
  readonly jwk: JWK;
}

async function newKey(): Promise<SigningKey> {
  const kid = `k-${randomBytes(4).toString('hex')}`;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { kid, jwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' } };
}

export async function startIdp(): Promise<RunningIdp> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => void res.writeHead(503).end();
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let keys = [await newKey()];
  let signing = keys[0]!.kid;
  const clients = new Map<string, string>([[WEB_CLIENT, 'web-secret']]);

  function install(): void {
    const provider = new Provider(issuer, {
      jwks: { keys: keys.map((k) => k.jwk) },
      // Only ES256 keys are published, so ID tokens are ES256 too.
      clientDefaults: { id_token_signed_response_alg: 'ES256' },
      clients: [...clients].map(([client_id, client_secret]) =>
        client_id === WEB_CLIENT
          ? { client_id, client_secret, redirect_uris: [REDIRECT], grant_types: ['authorization_code'], response_types: ['code'] }
          : { client_id, client_secret, redirect_uris: [], grant_types: ['client_credentials'], response_types: [] },
      ),
      cookies: { keys: ['oidc-idp-test-cookie-key'] },
      ttl: { AccessToken: 3600, AuthorizationCode: 60, ClientCredentials: 3600, IdToken: 3600, Interaction: 600, Session: 600, Grant: 600 },
      scopes: ['openid', ...SCOPES.split(' ')],
      findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
      extraTokenClaims: (_ctx, token) => ('accountId' in token ? { realm_access: { roles: ROLES[token.accountId] ?? [] } } : undefined),
      features: {
        devInteractions: { enabled: true },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => RESOURCE,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            scope: SCOPES,
            audience: WEB_CLIENT,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256', kid: signing } },
          }),
        },
      },
    });
    handler = provider.callback();
  }
  install();

  async function token(form: Record<string, string>, clientId: string): Promise<Record<string, string>> {
    const basic = Buffer.from(`${clientId}:${clients.get(clientId)}`).toString('base64');
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    const body = (await res.json()) as Record<string, string>;
    if (!res.ok) throw new Error(`token endpoint: ${res.status} ${JSON.stringify(body)}`);
    return body;
  }

  return {
    issuer,
    async clientToken(clientId, scope) {
      if (!clients.has(clientId)) {
        clients.set(clientId, `${clientId}-secret`);
        install();
      }
      return (await token({ grant_type: 'client_credentials', scope, resource: RESOURCE }, clientId)).access_token!;
    },
    async userTokens(login) {
      const verifier = randomBytes(32).toString('base64url');
      const auth = new URL(`${issuer}/auth`);
      auth.search = new URLSearchParams({
        client_id: WEB_CLIENT, response_type: 'code', redirect_uri: REDIRECT, scope: `openid ${SCOPES}`, resource: RESOURCE,
        nonce: randomBytes(8).toString('hex'), code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
      }).toString();
      const code = await signIn(auth, login);
      const tokens = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, WEB_CLIENT);
      return { access_token: tokens.access_token!, id_token: tokens.id_token };
    },
    async rotate() {
      const key = await newKey();
      keys = [key, ...keys];
      signing = key.kid;
      install();
      return key.kid;
    },
    async withdraw(kid) {
      keys = keys.filter((k) => k.kid !== kid);
      install();
    },
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/**
 * Walks the provider's development login and consent pages as a browser would: follow each
 * redirect, post the form the page asks for, keep the cookies. Resolves with the code.
 */
async function signIn(start: URL, login: string): Promise<string> {
  const jar = new Map<string, string>();
  const send = async (url: URL, form?: Record<string, string>) => {
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams(form) } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    await res.body?.cancel();
    const location = res.headers.get('location');
    if (!location) throw new Error(`sign-in stopped at ${url.pathname}: HTTP ${res.status}`);
    return new URL(location, url);
  };
  let at = await send(start);
  for (let step = 0; step < 10; step++) {
    if (at.href.startsWith(REDIRECT)) {
      const code = at.searchParams.get('code');
      if (!code) throw new Error(`sign-in failed: ${at.search}`);
      return code;
    }
    if (at.pathname.startsWith('/interaction/')) {
      // The first interaction is the login page, the next the consent page.
      at = await send(at, step === 0 ? { prompt: 'login', login, password: 'any' } : { prompt: 'consent' });
    } else {
      at = await send(at);
    }
  }
  throw new Error('sign-in did not finish');
}
