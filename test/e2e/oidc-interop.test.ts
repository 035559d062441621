// Identity interop end to end: a real OpenID provider (`oidc-provider`) issuing RFC 9068 JWT
// access tokens, found by OpenID discovery, next to the development issuer, in front of a real
// `airlock serve`; clients are the `openai` npm client and fetch. Covers issue 19 items 8, 15, 17.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import OpenAI from 'openai';
import { startDemoUpstream } from '../../src/dev/demo-upstream.js';
import { DEV_AUDIENCE, DEV_ISSUER } from '../../src/identify/index.js';
import { waitFor } from '../../src/lib/test-wait.js';
import { startAirlock, type RunningAirlock } from '../support/airlock-process.js';
import { startIdp, WEB_CLIENT, type RunningIdp } from '../support/oidc-idp.js';

const POLICIES = {
  'models.cedar': `
@id("eng-small") permit (principal in Group::"idp:ml-eng", action == Action::"model.invoke", resource == Model::"llm/gpt-4o-mini");
@id("etl-by-scope") permit (principal == Agent::"idp:etl", action == Action::"model.invoke", resource in Resource::"llm")
when { context has scope && context.scope.contains("models:invoke") };
@id("big-idp") @approval("dev:ml-leads") permit (principal in Group::"idp:ml-eng", action == Action::"model.invoke", resource == Model::"llm/gpt-4o");
@id("big-dev") @approval("dev:ml-leads") permit (principal in Group::"dev:ml-eng", action == Action::"model.invoke", resource == Model::"llm/gpt-4o");
`,
  'admin.cedar': `
@id("read") permit (principal, action == Action::"admin.approvals.read", resource == Airlock::"control-plane");
@id("vote") permit (principal in Group::"dev:ml-leads", action == Action::"admin.approve", resource == Airlock::"control-plane");
`,
};

let idp: RunningIdp;
let airlock: RunningAirlock;
let upstream: Awaited<ReturnType<typeof startDemoUpstream>>;

before(async () => {
  idp = await startIdp();
  upstream = await startDemoUpstream(0);
  airlock = await startAirlock({
    policies: POLICIES,
    resources: [{ name: 'llm', type: 'openai', upstream: upstream.url }],
    config: {
      identity: {
        oidc: [
          { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, jwks_file: './dev/jwks.json', namespace: 'dev' },
          // No jwks_file, no jwks_uri: the keys are found by OpenID discovery.
          { issuer: idp.issuer, audience: WEB_CLIENT, groups_claim: 'realm_access.roles', namespace: 'idp', jwks_refresh_seconds: 1 },
        ],
      },
    },
  });
});

after(async () => {
  assert.equal(await airlock.stop(), 0);
  await idp.close();
  upstream.server.close();
});

const chat = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hi' }] });
const client = (token: string) => new OpenAI({ apiKey: token, baseURL: `${airlock.dataUrl}/llm/v1`, maxRetries: 0 });

function invoke(token: string | undefined, model: string, approval?: string) {
  return fetch(`${airlock.dataUrl}/llm/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(approval ? { 'airlock-approval': approval } : {}) },
    body: JSON.stringify(chat(model)),
  });
}

/** An address where nothing listens any more: connections are refused at once. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

async function status(err: Promise<unknown>): Promise<number | undefined> {
  return err.then(() => 200, (e: unknown) => (e instanceof OpenAI.APIError ? e.status : undefined));
}

describe('tokens from a real OpenID provider', () => {
  it('makes a client-credentials token Agent::"idp:etl", restricted by the scopes the IdP granted', async () => {
    const granted = await idp.clientToken('etl', 'models:invoke');
    const reply = await client(granted).chat.completions.create(chat('gpt-4o'));
    assert.equal(reply.choices[0]?.message.content, 'Hello from the Airlock demo model.');
    const narrower = await idp.clientToken('etl', 'models:list');
    assert.equal(await status(client(narrower).chat.completions.create(chat('gpt-4o'))), 403, 'the policy reads context.scope');
  });

  it('makes a signed-in user User::"idp:alice" with groups from realm_access.roles, and refuses the ID token of the same sign-in', async () => {
    const { access_token, id_token } = await idp.userTokens('alice');
    assert.equal((await client(access_token).chat.completions.create(chat('gpt-4o-mini'))).model, 'gpt-4o-mini');
    assert.ok(id_token);
    const refused = await invoke(id_token, 'gpt-4o-mini');
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="an ID token is not an access token"');
  });

  it('answers RFC 6750 challenges: a bare Bearer without a token, invalid_token with a reason for a bad one', async () => {
    const none = await invoke(undefined, 'gpt-4o-mini');
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const expired = await airlock.token({ sub: 'alice', ttlSeconds: -3600 });
    const stale = await invoke(expired, 'gpt-4o-mini');
    assert.equal(stale.status, 401);
    assert.equal(stale.headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="token expired"');
    const control = await fetch(`${airlock.adminUrl}/api/v1/approvals`, { headers: { authorization: 'Bearer not.a.token' } });
    assert.equal(control.status, 401);
    assert.match(control.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token", error_description="/);
  });

  it('accepts the first token signed with a newly published key at once, and stops accepting a withdrawn key within a refresh period', async () => {
    const before = await idp.clientToken('etl', 'models:invoke');
    assert.equal((await invoke(before, 'gpt-4o')).status, 200); // verified and cached
    await idp.rotate();
    const fresh = await idp.clientToken('etl', 'models:invoke');
    assert.equal((await invoke(fresh, 'gpt-4o')).status, 200, 'no cooldown refuses the new key');
    const oldKid = JSON.parse(Buffer.from(before.split('.')[0]!, 'base64url').toString()).kid as string;
    await idp.withdraw(oldKid);
    const withdrawnAt = Date.now();
    // jwks_refresh_seconds is 1: the cached token must be refused within that plus one read.
    await waitFor(async () => (await invoke(before, 'gpt-4o')).status === 401, 10_000);
    assert.ok(Date.now() - withdrawnAt < 8_000, `took ${Date.now() - withdrawnAt} ms`);
    assert.equal((await invoke(fresh, 'gpt-4o')).status, 200, 'the current key still works');
  });
});

describe('two issuers, one sub', () => {
  it('keeps idp:alice and dev:alice apart: an approval opened by one is not the other\'s', async () => {
    const idpAlice = (await idp.userTokens('alice')).access_token;
    const devAlice = await airlock.token({ sub: 'alice', groups: ['ml-eng'] });
    const lee = await airlock.token({ sub: 'lee', groups: ['ml-leads'] });
    const opened = await invoke(idpAlice, 'gpt-4o');
    assert.equal(opened.status, 403);
    const { approval_id: id } = (await opened.json()) as { approval_id: string };
    const listed = (await (await fetch(`${airlock.adminUrl}/api/v1/approvals/${id}`, { headers: { authorization: `Bearer ${lee}` } })).json()) as {
      principal: { type: string; id: string; groups: string[] };
    };
    assert.deepEqual(listed.principal, { type: 'User', id: 'idp:alice', groups: ['idp:ml-eng'] });
    const vote = await fetch(`${airlock.adminUrl}/api/v1/approvals/${id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${lee}`, 'content-type': 'application/json' },
      body: '{"reason":"ok"}',
    });
    assert.equal(vote.status, 200);
    assert.equal((await invoke(devAlice, 'gpt-4o', id)).status, 403, 'the same sub from the other issuer cannot use it');
    assert.equal((await invoke(idpAlice, 'gpt-4o', id)).status, 200);
    assert.equal((await invoke(devAlice, 'gpt-4o-mini')).status, 403, 'the other issuer\'s ml-eng is another group');
  });
});

describe('an issuer whose discovery fails at start', () => {
  it('does not stop the gateway: its tokens are refused, with a log line, and other issuers work', async () => {
    const down = await closedPortUrl();
    const gw = await startAirlock({
      policies: { 'p.cedar': '@id("all") permit (principal in Group::"dev:ml-eng", action, resource);' },
      resources: [{ name: 'llm', type: 'openai', upstream: upstream.url }],
      config: {
        identity: {
          oidc: [
            { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, jwks_file: './dev/jwks.json', namespace: 'dev' },
            { issuer: down, audience: 'airlock', namespace: 'down' },
          ],
        },
      },
    });
    try {
      await waitFor(() => gw.stderr().includes('OIDC signing keys could not be fetched'), 10_000);
      const line = gw.stderr().split('\n').find((l) => l.includes('OIDC signing keys could not be fetched'))!;
      assert.equal(JSON.parse(line).issuer, down);
      const { privateKey } = await generateKeyPair('ES256');
      const forged = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256', kid: 'k', typ: 'JWT' }).setIssuer(down).setAudience('airlock').setExpirationTime('1h').sign(privateKey);
      const res = await fetch(`${gw.dataUrl}/llm/v1/models`, { headers: { authorization: `Bearer ${forged}` } });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="issuer signing keys unavailable"');
      const dev = await gw.token({ sub: 'ada', groups: ['ml-eng'] });
      assert.equal((await fetch(`${gw.dataUrl}/llm/v1/models`, { headers: { authorization: `Bearer ${dev}` } })).status, 200);
    } finally {
      await gw.stop();
    }
  });
});
