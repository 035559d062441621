import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { AirlockError } from '../../lib/errors.js';
import { waitFor } from '../../lib/test-wait.js';
import type { OidcIssuerConfig } from './issuer-config.js';
import { AUDIENCE, ISSUER, jwksOf, makeKey, sign, testClock, type TestKey } from './test-issuer.js';
import { createOidcVerifier, type OidcVerifierOptions } from './verify-token.js';

// A local IdP whose key set (and discovery document) the test changes, counting what Airlock reads.
let server: Server;
let base: string;
let served: TestKey[] = [];
let jwksReads = 0;
let discoveryReads = 0;
let failing = false;
let discovery: 'ok' | 'fail' | 'other-issuer' = 'ok';

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      discoveryReads++;
      if (discovery === 'fail') return void res.writeHead(503).end();
      const issuer = discovery === 'other-issuer' ? 'https://elsewhere.test' : base;
      return void res.setHeader('content-type', 'application/json').end(JSON.stringify({ issuer, jwks_uri: `${base}/keys` }));
    }
    jwksReads++;
    if (failing) return void res.writeHead(503).end();
    res.setHeader('content-type', 'application/json').end(JSON.stringify(jwksOf(...served)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());
beforeEach(() => {
  jwksReads = 0;
  discoveryReads = 0;
  failing = false;
  discovery = 'ok';
});

// Every verifier stops reading when its test ends, so no test counts another's reads.
const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

async function setup(extra: Partial<OidcIssuerConfig> = {}, opts: OidcVerifierOptions = {}) {
  const clock = testClock();
  const v = await createOidcVerifier([{ issuer: ISSUER, audience: AUDIENCE, jwks_uri: `${base}/jwks.json`, ...extra }], { now: clock.now, ...opts });
  closers.push(() => v.close());
  return { clock, v };
}

const outcome = (p: Promise<{ id: string }>) => p.then((x) => `ok ${x.id}`, (e: unknown) => (e instanceof AirlockError ? e.message : String(e)));

function logLines() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), cb()) }));
  return { log, lines };
}

describe('OIDC keys from jwks_uri', () => {
  it('reads the key set at start and reuses it', async () => {
    const k1 = await makeKey('ES256', 'k1');
    served = [k1];
    const { clock, v } = await setup();
    await waitFor(() => jwksReads === 1);
    await v.verify(await sign(k1, clock.now(), { claims: { sub: 'a' } }));
    await v.verify(await sign(k1, clock.now(), { claims: { sub: 'b' } }));
    assert.equal(jwksReads, 1);
  });

  it('accepts the first token signed with a newly published key at once, even right after a read', async () => {
    const k1 = await makeKey('EdDSA', 'k1');
    const k2 = await makeKey('EdDSA', 'k2');
    served = [k1];
    const { clock, v } = await setup();
    assert.equal(await outcome(v.verify(await sign(k1, clock.now()))), 'ok alice');
    served = [k1, k2]; // the IdP publishes a new key and signs with it; no time has passed
    assert.equal(await outcome(v.verify(await sign(k2, clock.now()))), 'ok alice');
    assert.equal(jwksReads, 2);
  });

  it('shares one read among tokens with unknown kids: made-up kids cannot make it hammer the IdP', async () => {
    const k1 = await makeKey('EdDSA', 'k1');
    served = [k1];
    const { clock, v } = await setup({}, { jwksCooldownMs: 300 });
    await v.verify(await sign(k1, clock.now()));
    const made = await Promise.all(Array.from({ length: 20 }, (_, i) => makeKey('EdDSA', `made-up-${i}`)));
    const results = await Promise.all(made.map(async (k) => outcome(v.verify(await sign(k, clock.now())))));
    assert.deepEqual(new Set(results), new Set(['no signing key matches the token']));
    assert.equal(jwksReads, 2, 'twenty unknown kids, one read');
  });

  it('refuses at once while the IdP has never answered, retrying no more than once per cooldown', async () => {
    const k1 = await makeKey('EdDSA', 'k1');
    served = [k1];
    failing = true;
    const { clock, v } = await setup();
    const token = await sign(k1, clock.now());
    assert.equal(await outcome(v.verify(token)), 'issuer signing keys unavailable');
    assert.equal(await outcome(v.verify(token)), 'issuer signing keys unavailable');
    assert.equal(jwksReads, 1, 'the read at start, which the first token waited for');
    failing = false;
    clock.advance(1_900);
    assert.equal(await outcome(v.verify(token)), 'issuer signing keys unavailable');
    assert.equal(jwksReads, 1);
    clock.advance(100);
    assert.equal(await outcome(v.verify(token)), 'ok alice');
    assert.equal(jwksReads, 2);
  });

  it('keeps the last good keys through a failed refresh', async () => {
    const k1 = await makeKey('EdDSA', 'k1');
    served = [k1];
    const { clock, v } = await setup({ jwks_refresh_seconds: 1 });
    const cached = await sign(k1, clock.now(), { claims: { sub: 'cached' } });
    await v.verify(cached);
    failing = true;
    await waitFor(() => jwksReads >= 2);
    assert.equal(await outcome(v.verify(cached)), 'ok cached');
    assert.equal(await outcome(v.verify(await sign(k1, clock.now(), { claims: { sub: 'fresh' } }))), 'ok fresh');
  });

  it('drops a cached token once its signing key is no longer published, within jwks_refresh_seconds plus one read', async () => {
    const k1 = await makeKey('ES256', 'k1');
    const k2 = await makeKey('ES256', 'k2');
    served = [k1, k2];
    const { clock, v } = await setup({ jwks_refresh_seconds: 1 });
    const old = await sign(k1, clock.now(), { claims: { sub: 'old' } });
    const current = await sign(k2, clock.now(), { claims: { sub: 'current' } });
    assert.equal(await outcome(v.verify(old)), 'ok old');
    assert.equal(await outcome(v.verify(current)), 'ok current');
    assert.ok(v.cached(old));
    served = [k2]; // the IdP withdraws k1 (compromised, or rotated out)
    const removedAt = Date.now();
    await waitFor(() => v.cached(old) === undefined, 5_000);
    assert.ok(Date.now() - removedAt < 1_000 + 5_000, 'within the refresh period plus one read');
    assert.equal(await outcome(v.verify(old)), 'no signing key matches the token');
    assert.equal(v.cached(current)?.id, 'current', 'tokens of keys still published stay cached');
  });

  it('drops a cached token when its kid is republished with other key material', async () => {
    const k1 = await makeKey('ES256', 'k1');
    const impostor = await makeKey('ES256', 'k1');
    served = [k1];
    const { clock, v } = await setup({}, { jwksCooldownMs: 0 });
    const old = await sign(k1, clock.now());
    await v.verify(old);
    served = [impostor];
    const triggered = await outcome(v.verify(await sign(await makeKey('ES256', 'k-other'), clock.now())));
    assert.equal(triggered, 'no signing key matches the token');
    assert.equal(v.cached(old), undefined);
    assert.equal(await outcome(v.verify(old)), 'invalid token signature');
  });
});

describe('OIDC keys by OpenID discovery', () => {
  const discovered = (extra: Partial<OidcIssuerConfig> = {}) => ({ issuer: base, audience: AUDIENCE, ...extra });

  it('finds the jwks_uri from <issuer>/.well-known/openid-configuration', async () => {
    const k1 = await makeKey('RS256', 'k1');
    served = [k1];
    const clock = testClock();
    const v = await createOidcVerifier([discovered()], { now: clock.now });
    closers.push(() => v.close());
    assert.equal(await outcome(v.verify(await sign(k1, clock.now(), { claims: { iss: base } }))), 'ok alice');
    assert.deepEqual([discoveryReads, jwksReads], [1, 1]);
  });

  it('starts when discovery fails, refuses that issuer\'s tokens with a log line, and recovers by retrying', async () => {
    const k1 = await makeKey('ES256', 'k1');
    served = [k1];
    discovery = 'fail';
    const clock = testClock();
    const { log, lines } = logLines();
    const v = await createOidcVerifier([discovered()], { now: clock.now, log });
    closers.push(() => v.close());
    const token = await sign(k1, clock.now(), { claims: { iss: base } });
    assert.equal(await outcome(v.verify(token)), 'issuer signing keys unavailable');
    const line = lines.find((l) => l['issuer'] === base);
    assert.equal(line?.['msg'], 'OIDC signing keys could not be fetched; tokens from this issuer are refused until they are');
    assert.match(String(line?.['err']), /OpenID discovery fetch failed: HTTP 503/);
    discovery = 'ok';
    await waitFor(() => jwksReads >= 1, 5_000); // the backoff retry (1 s), with no token asking
    assert.equal(await outcome(v.verify(token)), 'ok alice');
  });

  it('refuses a discovery document that names another issuer', async () => {
    served = [await makeKey('ES256', 'k1')];
    discovery = 'other-issuer';
    const clock = testClock();
    const { log, lines } = logLines();
    const v = await createOidcVerifier([discovered()], { now: clock.now, log });
    closers.push(() => v.close());
    assert.equal(await outcome(v.verify(await sign(served[0]!, clock.now(), { claims: { iss: base } }))), 'issuer signing keys unavailable');
    assert.equal(jwksReads, 0);
    assert.match(String(lines[0]?.['err']), /names another issuer/);
  });
});
