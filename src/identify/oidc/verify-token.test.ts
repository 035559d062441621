import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { base64url, SignJWT } from 'jose';
import { AirlockError } from '../../lib/errors.js';
import { UNKNOWN_MFA_AGE } from '../../model/principal.js';
import type { OidcIssuerConfig } from './issuer-config.js';
import { AUDIENCE, ISSUER, jwksOf, makeKey, sign, testClock, type TestKey } from './test-issuer.js';
import { createOidcVerifier, type OidcVerifier } from './verify-token.js';
import { tempDir } from '../../lib/test-temp-dir.js';

let keys: Record<'RS256' | 'ES256' | 'EdDSA', TestKey>;
let stranger: TestKey;
let dir: string;

async function verifierFor(clock: { now: () => number }, extra: Partial<OidcIssuerConfig> = {}): Promise<OidcVerifier> {
  return createOidcVerifier([{ issuer: ISSUER, audience: AUDIENCE, jwks_file: 'jwks.json', ...extra }], {
    now: clock.now,
    baseDir: dir,
  });
}

async function refused(p: Promise<unknown>, reason?: RegExp): Promise<AirlockError> {
  const err = await p.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AirlockError, `not an AirlockError: ${String(err)}`);
  assert.equal(err.code, 'unauthenticated');
  if (reason) assert.match(err.message, reason);
  return err;
}

before(async () => {
  keys = { RS256: await makeKey('RS256'), ES256: await makeKey('ES256'), EdDSA: await makeKey('EdDSA') };
  stranger = await makeKey('EdDSA', keys.EdDSA.kid); // same kid, different key
  dir = tempDir('oidc');
  await writeFile(join(dir, 'jwks.json'), JSON.stringify(jwksOf(keys.RS256, keys.ES256, keys.EdDSA)));
});

describe('OIDC token verification', () => {
  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
    it(`accepts a valid ${alg} token as User::"<sub>"`, async () => {
      const clock = testClock();
      const v = await verifierFor(clock);
      const token = await sign(keys[alg], clock.now(), { claims: { groups: ['ml-eng', 'admins'] } });
      const p = await v.verify(token);
      assert.deepEqual({ ...p }, {
        type: 'User',
        id: 'alice',
        groups: ['ml-eng', 'admins'],
        mfa: false,
        mfaAge: UNKNOWN_MFA_AGE,
        authMethod: 'oidc',
        expiresAt: Math.floor(clock.now() / 1000) - 10 + 3600,
        facts: { scope: [] },
      });
    });
  }

  it('refuses a token for another audience', async () => {
    const clock = testClock();
    const v = await verifierFor(clock);
    await refused(v.verify(await sign(keys.EdDSA, clock.now(), { claims: { aud: 'other' } })), /audience/);
  });

  it('refuses a token from an issuer that is not configured', async () => {
    const clock = testClock();
    const v = await verifierFor(clock);
    await refused(v.verify(await sign(keys.EdDSA, clock.now(), { claims: { iss: 'https://evil.test' } })), /unknown token issuer/);
  });

  it('refuses a token signed by a key not in the issuer JWKS, even with a known kid', async () => {
    const clock = testClock();
    const v = await verifierFor(clock);
    await refused(v.verify(await sign(stranger, clock.now())), /signature/);
  });

  it('refuses a token whose kid is unknown', async () => {
    const clock = testClock();
    const v = await verifierFor(clock);
    const other = await makeKey('EdDSA', 'no-such-kid');
    await refused(v.verify(await sign(other, clock.now())), /no signing key/);
  });

  it('honours 60 s of clock skew on exp: 30 s late accepted, 120 s late refused', async () => {
    const clock = testClock();
    const nowS = Math.floor(clock.now() / 1000);
    const late30 = await sign(keys.EdDSA, clock.now(), { iat: nowS - 3630 });
    const late120 = await sign(keys.EdDSA, clock.now(), { iat: nowS - 3720 });
    const v = await verifierFor(clock);
    assert.equal((await v.verify(late30)).id, 'alice');
    await refused(v.verify(late120), /expired/);
  });

  it('honours 60 s of clock skew on nbf: 30 s early accepted, 120 s early refused', async () => {
    const clock = testClock();
    const nowS = Math.floor(clock.now() / 1000);
    const v = await verifierFor(clock);
    assert.equal((await v.verify(await sign(keys.EdDSA, clock.now(), { claims: { nbf: nowS + 30 } }))).id, 'alice');
    await refused(v.verify(await sign(keys.EdDSA, clock.now(), { claims: { nbf: nowS + 120 } })), /not yet valid/);
  });

  it('refuses a cached token once exp plus leeway has passed', async () => {
    const clock = testClock();
    const v = await verifierFor(clock);
    const token = await sign(keys.EdDSA, clock.now(), { ttlS: 100 }); // exp = now + 90
    await v.verify(token);
    clock.advance(90_000 + 59_000);
    assert.equal((await v.verify(token)).id, 'alice');
    clock.advance(1_000);
    await refused(v.verify(token), /expired/);
  });

  it('refuses tokens without sub or exp', async () => {
    const clock = testClock();
    const v = await verifierFor(clock);
    await refused(v.verify(await sign(keys.EdDSA, clock.now(), { omit: ['sub'] })));
    await refused(v.verify(await sign(keys.EdDSA, clock.now(), { omit: ['exp'] })));
    await refused(v.verify(await sign(keys.EdDSA, clock.now(), { claims: { sub: '' } })));
  });
});

describe('OIDC algorithm and format attacks', () => {
  it('refuses alg none', async () => {
    const clock = testClock();
    const v = await verifierFor(clock);
    const nowS = Math.floor(clock.now() / 1000);
    const enc = (o: object) => base64url.encode(JSON.stringify(o));
    const payload = { iss: ISSUER, aud: AUDIENCE, sub: 'alice', exp: nowS + 600 };
    await refused(v.verify(`${enc({ alg: 'none', typ: 'JWT' })}.${enc(payload)}.`));
    await refused(v.verify(`${enc({ alg: 'none', kid: keys.EdDSA.kid })}.${enc(payload)}.AAAA`));
  });

  it('refuses HS256, even keyed with the public JWK bytes', async () => {
    const clock = testClock();
    const v = await verifierFor(clock);
    const nowS = Math.floor(clock.now() / 1000);
    const secret = new TextEncoder().encode(JSON.stringify(keys.EdDSA.publicJwk));
    const token = await new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'alice', exp: nowS + 600 })
      .setProtectedHeader({ alg: 'HS256', kid: keys.EdDSA.kid })
      .sign(secret);
    await refused(v.verify(token), /algorithm/);
  });

  it('refuses a token with a changed payload or signature', async () => {
    const clock = testClock();
    const v = await verifierFor(clock);
    const token = await sign(keys.EdDSA, clock.now());
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(p))) as Record<string, unknown>;
    const forged = base64url.encode(JSON.stringify({ ...claims, sub: 'root' }));
    await refused(v.verify(`${h}.${forged}.${s}`), /signature/);
    await refused(v.verify(`${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BA' : 'AA'}`));
  });

  it('refuses garbage strings', async () => {
    const clock = testClock();
    const v = await verifierFor(clock);
    for (const g of ['', 'x', 'a.b.c', '...', 'eyJ.eyJ.', 'x'.repeat(20_000)]) await refused(v.verify(g));
  });

  it('always refuses a valid token with any byte changed (property)', async () => {
    const clock = testClock();
    const v = await verifierFor(clock);
    const token = await sign(keys.EdDSA, clock.now());
    assert.equal((await v.verify(token)).id, 'alice'); // the original is accepted and cached
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    await fc.assert(
      fc.asyncProperty(fc.nat(token.length - 1), fc.nat(alphabet.length - 1), async (i, j) => {
        const c = alphabet[j]!;
        fc.pre(token[i] !== c);
        const mutated = token.slice(0, i) + c + token.slice(i + 1);
        // base64url's last character may carry unused bits: a change there can decode to the
        // same bytes, which is the same token. Everything else must be refused.
        const err = await v.verify(mutated).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (err === undefined) assert.ok(sameBytes(token, mutated), `accepted a changed token at ${i}`);
        else assert.equal((err as AirlockError).code, 'unauthenticated');
      }),
      { numRuns: 300 },
    );
  });
});

function sameBytes(a: string, b: string): boolean {
  const pa = a.split('.');
  const pb = b.split('.');
  if (pa.length !== 3 || pb.length !== 3) return false;
  try {
    return pa.every((s, i) => Buffer.compare(base64url.decode(s), base64url.decode(pb[i]!)) === 0);
  } catch {
    return false;
  }
}
