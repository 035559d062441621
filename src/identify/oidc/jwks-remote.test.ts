import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AirlockError } from '../../lib/errors.js';
import { AUDIENCE, ISSUER, jwksOf, makeKey, sign, testClock, type TestKey } from './test-issuer.js';
import { createOidcVerifier } from './verify-token.js';

// A local IdP whose key set the test changes, counting how often Airlock fetches it.
let server: Server;
let uri: string;
let served: TestKey[] = [];
let fetches = 0;
let failing = false;

before(async () => {
  server = createServer((_req, res) => {
    fetches++;
    if (failing) return void res.writeHead(503).end();
    res.setHeader('content-type', 'application/json').end(JSON.stringify(jwksOf(...served)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});
after(() => server.close());

async function setup() {
  const clock = testClock();
  fetches = 0;
  failing = false;
  const v = await createOidcVerifier([{ issuer: ISSUER, audience: AUDIENCE, jwks_uri: uri }], { now: clock.now });
  return { clock, v };
}

const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof AirlockError ? e.code : String(e)));

describe('OIDC keys from jwks_uri', () => {
  it('fetches the key set once and reuses it', async () => {
    const k1 = await makeKey('ES256', 'k1');
    served = [k1];
    const { clock, v } = await setup();
    assert.equal(fetches, 0, 'no fetch before the first token');
    await v.verify(await sign(k1, clock.now(), { claims: { sub: 'a' } }));
    await v.verify(await sign(k1, clock.now(), { claims: { sub: 'b' } }));
    assert.equal(fetches, 1);
  });

  it('refetches once on an unknown kid, then not again within the cooldown', async () => {
    const k1 = await makeKey('EdDSA', 'k1');
    const k2 = await makeKey('EdDSA', 'k2');
    const k3 = await makeKey('EdDSA', 'k3');
    served = [k1];
    const { clock, v } = await setup();
    await v.verify(await sign(k1, clock.now()));
    clock.advance(31_000);
    served = [k1, k2]; // the IdP rotates
    assert.equal((await v.verify(await sign(k2, clock.now()))).id, 'alice');
    assert.equal(fetches, 2);
    served = [k1, k2, k3];
    const t3 = await sign(k3, clock.now());
    for (let i = 0; i < 5; i++) assert.equal(await code(v.verify(t3)), 'unauthenticated');
    assert.equal(fetches, 2, 'unknown kids within 30 s do not refetch');
    clock.advance(30_000);
    assert.equal((await v.verify(t3)).id, 'alice');
    assert.equal(fetches, 3);
  });

  it('refuses tokens while the IdP is unreachable, and does not hammer it', async () => {
    const k1 = await makeKey('EdDSA', 'k1');
    served = [k1];
    const { clock, v } = await setup();
    failing = true;
    const token = await sign(k1, clock.now());
    assert.equal(await code(v.verify(token)), 'unauthenticated');
    assert.equal(await code(v.verify(token)), 'unauthenticated');
    assert.equal(fetches, 1);
    failing = false;
    clock.advance(4_000);
    assert.equal(await code(v.verify(token)), 'unauthenticated');
    assert.equal(fetches, 1, 'a failed fetch is retried after 5 s, not per request');
    clock.advance(1_000);
    assert.equal((await v.verify(token)).id, 'alice');
  });
});
