import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { AirlockError } from '../../lib/errors.js';
import { tempDir } from '../../lib/test-temp-dir.js';
import type { OidcIssuerConfig } from './issuer-config.js';
import { AUDIENCE, ISSUER, jwksOf, makeKey, sign, testClock, type TestKey } from './test-issuer.js';
import { createOidcVerifier } from './verify-token.js';

let key: TestKey;
let dir: string;

before(async () => {
  key = await makeKey('ES256');
  dir = tempDir('typ');
  await writeFile(join(dir, 'jwks.json'), JSON.stringify(jwksOf(key)));
});

async function outcome(opts: Parameters<typeof sign>[2], extra: Partial<OidcIssuerConfig> = {}): Promise<string> {
  const clock = testClock();
  const v = await createOidcVerifier([{ issuer: ISSUER, audience: AUDIENCE, jwks_file: 'jwks.json', ...extra }], { now: clock.now, baseDir: dir });
  return v.verify(await sign(key, clock.now(), opts)).then(
    (p) => `ok ${p.id}`,
    (e: unknown) => (e instanceof AirlockError ? e.message : String(e)),
  );
}

describe('OIDC token types', () => {
  it('accepts RFC 9068 access tokens (at+jwt, application/at+jwt, any case) and plain JWT by default', async () => {
    for (const typ of ['at+jwt', 'application/at+jwt', 'AT+JWT', 'JWT', 'jwt', null]) {
      assert.equal(await outcome({ typ }), 'ok alice', String(typ));
    }
  });

  it('refuses any other typ', async () => {
    for (const typ of ['id_token', 'logout+jwt', 'secevent+jwt', 'dpop+jwt', 'JOSE', '']) {
      assert.equal(await outcome({ typ }), 'token type not accepted', typ);
    }
  });

  it('recognises an ID token (nonce, at_hash, c_hash, Keycloak typ ID) and refuses it, even with the right aud', async () => {
    for (const claims of [{ nonce: 'n-0S6_WzA2Mj' }, { at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q' }, { c_hash: 'LDktKdoQak3Pk0cnXxCltA' }, { typ: 'ID' }]) {
      assert.equal(await outcome({ claims }), 'an ID token is not an access token', JSON.stringify(claims));
    }
    // A token that declares itself an access token is one.
    assert.equal(await outcome({ typ: 'at+jwt', claims: { nonce: 'x' } }), 'ok alice');
    // Keycloak's access tokens say "typ": "Bearer" in their claims.
    assert.equal(await outcome({ claims: { typ: 'Bearer' } }), 'ok alice');
  });

  it('accepts only the configured token_types', async () => {
    const strict = { token_types: ['at+jwt'] };
    assert.equal(await outcome({ typ: 'at+jwt' }, strict), 'ok alice');
    assert.equal(await outcome({ typ: 'application/at+jwt' }, strict), 'ok alice');
    for (const typ of ['JWT', null]) assert.equal(await outcome({ typ }, strict), 'token type not accepted', String(typ));
    const custom = { token_types: ['application/vnd.example+jwt'] };
    assert.equal(await outcome({ typ: 'vnd.example+jwt' }, custom), 'ok alice');
    assert.equal(await outcome({ typ: 'JWT' }, custom), 'token type not accepted');
  });
});
