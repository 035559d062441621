import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { UNKNOWN_MFA_AGE } from '../../model/principal.js';
import { identityFromClaims, principalFromIdentity } from './claims.js';
import { AUDIENCE, ISSUER, jwksOf, makeKey, sign, testClock } from './test-issuer.js';
import { createOidcVerifier } from './verify-token.js';
import { tempDir } from '../../lib/test-temp-dir.js';

const base = { sub: 'alice', exp: 2_000_000_000 };

describe('OIDC claims to principal', () => {
  it('counts mfa, otp, hwk, swk and fido in amr as MFA, and nothing else', () => {
    for (const m of ['mfa', 'otp', 'hwk', 'swk', 'fido']) {
      assert.equal(identityFromClaims({ ...base, amr: ['pwd', m] }, 'groups')?.mfa, true, m);
    }
    for (const amr of [['pwd'], [], 'mfa', [1, { mfa: true }], undefined]) {
      assert.equal(identityFromClaims({ ...base, amr }, 'groups')?.mfa, false, JSON.stringify(amr));
    }
  });

  it('reads groups from an array or a single string, ignoring non-strings', () => {
    assert.deepEqual(identityFromClaims({ ...base, groups: ['a', 1, null, 'b', 'a', ''] }, 'groups')?.groups, ['a', 'b']);
    assert.deepEqual(identityFromClaims({ ...base, groups: 'solo' }, 'groups')?.groups, ['solo']);
    assert.deepEqual(identityFromClaims({ ...base, groups: { a: 1 } }, 'groups')?.groups, []);
    assert.deepEqual(identityFromClaims(base, 'groups')?.groups, []);
  });

  it('reads groups from a custom claim name only', () => {
    const claims = { ...base, groups: ['wrong'], 'https://example.com/roles': ['right'] };
    assert.deepEqual(identityFromClaims(claims, 'https://example.com/roles')?.groups, ['right']);
  });

  it('gives an unknown mfa age without auth_time, and never a negative one', () => {
    const id = identityFromClaims(base, 'groups')!;
    assert.equal(principalFromIdentity(id, 1_000_000).mfaAge, UNKNOWN_MFA_AGE);
    const future = identityFromClaims({ ...base, auth_time: 2_000 }, 'groups')!;
    assert.equal(principalFromIdentity(future, 1_000_000).mfaAge, 0);
  });

  it('recomputes mfa_age from a cached token at each use', async () => {
    const dir = tempDir('claims');
    const key = await makeKey('EdDSA');
    await writeFile(join(dir, 'jwks.json'), JSON.stringify(jwksOf(key)));
    const clock = testClock();
    const v = await createOidcVerifier(
      [{ issuer: ISSUER, audience: AUDIENCE, jwks_file: 'jwks.json', groups_claim: 'roles' }],
      { now: clock.now, baseDir: dir },
    );
    const authTime = Math.floor(clock.now() / 1000) - 100;
    const token = await sign(key, clock.now(), { claims: { amr: ['pwd', 'otp'], auth_time: authTime, roles: 'ops' } });
    const first = await v.verify(token);
    assert.deepEqual([first.mfa, first.mfaAge, first.groups], [true, 100, ['ops']]);
    clock.advance(250_000);
    assert.equal((await v.verify(token)).mfaAge, 350);
  });
});
