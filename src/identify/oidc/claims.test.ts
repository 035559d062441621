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
      assert.equal(identityFromClaims({ ...base, amr: ['pwd', m] }, { groupsClaim: 'groups' })?.mfa, true, m);
    }
    for (const amr of [['pwd'], [], 'mfa', [1, { mfa: true }], undefined]) {
      assert.equal(identityFromClaims({ ...base, amr }, { groupsClaim: 'groups' })?.mfa, false, JSON.stringify(amr));
    }
  });

  it('reads groups from an array or a single string, ignoring non-strings', () => {
    assert.deepEqual(identityFromClaims({ ...base, groups: ['a', 1, null, 'b', 'a', ''] }, { groupsClaim: 'groups' })?.groups, ['a', 'b']);
    assert.deepEqual(identityFromClaims({ ...base, groups: 'solo' }, { groupsClaim: 'groups' })?.groups, ['solo']);
    assert.deepEqual(identityFromClaims({ ...base, groups: { a: 1 } }, { groupsClaim: 'groups' })?.groups, []);
    assert.deepEqual(identityFromClaims(base, { groupsClaim: 'groups' })?.groups, []);
  });

  it('reads groups from a custom claim name only', () => {
    const claims = { ...base, groups: ['wrong'], 'https://example.com/roles': ['right'] };
    assert.deepEqual(identityFromClaims(claims, { groupsClaim: 'https://example.com/roles' })?.groups, ['right']);
  });

  it('gives an unknown mfa age without auth_time, and never a negative one', () => {
    const id = identityFromClaims(base, { groupsClaim: 'groups' })!;
    assert.equal(principalFromIdentity(id, 1_000_000).mfaAge, UNKNOWN_MFA_AGE);
    const future = identityFromClaims({ ...base, auth_time: 2_000 }, { groupsClaim: 'groups' })!;
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

  it('reads groups from a dotted claim path (Keycloak realm_access.roles), a whole claim name first', () => {
    const keycloak = { ...base, realm_access: { roles: ['ml-eng', 'offline_access'] }, resource_access: { airlock: { roles: ['ops'] } } };
    assert.deepEqual(identityFromClaims(keycloak, { groupsClaim: 'realm_access.roles' })?.groups, ['ml-eng', 'offline_access']);
    assert.deepEqual(identityFromClaims(keycloak, { groupsClaim: 'resource_access.airlock.roles' })?.groups, ['ops']);
    const dotted = { ...base, 'https://example.com/groups': ['named'], https: { 'example.com/groups': ['walked'] } };
    assert.deepEqual(identityFromClaims(dotted, { groupsClaim: 'https://example.com/groups' })?.groups, ['named']);
  });

  it('gives no groups (and no error) when the claim path does not lead to strings', () => {
    for (const claims of [{ realm_access: 'x.y' }, { realm_access: { roles: { a: 1 } } }, { realm_access: [{ roles: ['a'] }] }, { realm_access: null }, {}]) {
      const id = identityFromClaims({ ...base, ...claims }, { groupsClaim: 'realm_access.roles' });
      assert.deepEqual(id?.groups, [], JSON.stringify(claims));
    }
    for (const path of ['constructor.name', '__proto__.x', 'toString', 'realm_access.roles.length']) {
      assert.deepEqual(identityFromClaims({ ...base, realm_access: { roles: ['a'] } }, { groupsClaim: path })?.groups, [], path);
    }
  });

  it('makes a client-credentials token (sub equals client_id) an Agent, a person\'s token a User', () => {
    const client = identityFromClaims({ ...base, sub: 'etl-job', client_id: 'etl-job' }, { groupsClaim: 'groups' });
    assert.deepEqual([client?.type, client?.id], ['Agent', 'etl-job']);
    const person = identityFromClaims({ ...base, client_id: 'web-app' }, { groupsClaim: 'groups' });
    assert.deepEqual([person?.type, person?.id], ['User', 'alice']);
    const off = identityFromClaims({ ...base, sub: 'etl-job', client_id: 'etl-job' }, { groupsClaim: 'groups', clientTokens: { as_agent: false } });
    assert.deepEqual([off?.type, off?.id], ['User', 'etl-job']);
  });

  it('recognises client tokens by a configured claim, named by a configured claim (Keycloak, Entra)', () => {
    const keycloak = { groupsClaim: 'groups', clientTokens: { match: { claim: 'client_id' }, name_claim: 'azp' } };
    const svc = identityFromClaims({ ...base, sub: '6a1e-uuid', client_id: 'etl', azp: 'etl' }, keycloak);
    assert.deepEqual([svc?.type, svc?.id], ['Agent', 'etl']);
    const user = identityFromClaims({ ...base, azp: 'web' }, keycloak);
    assert.deepEqual([user?.type, user?.id], ['User', 'alice']);
    const entra = { groupsClaim: 'roles', clientTokens: { match: { claim: 'idtyp', value: 'app' } } };
    assert.equal(identityFromClaims({ ...base, idtyp: 'app' }, entra)?.type, 'Agent');
    assert.equal(identityFromClaims({ ...base, idtyp: 'user' }, entra)?.type, 'User');
    assert.equal(identityFromClaims({ ...base, sub: 'x', client_id: 'x' }, entra)?.type, 'User', 'the configured rule replaces the default');
    assert.equal(identityFromClaims({ ...base, client_id: 'etl' }, { ...keycloak, clientTokens: { ...keycloak.clientTokens, name_claim: 'missing' } }), undefined);
  });

  it('puts scope (a set, from scope or scp, string or array), client_id and azp into the token facts', () => {
    const facts = (claims: object) => identityFromClaims({ ...base, ...claims }, { groupsClaim: 'groups' })?.facts;
    assert.deepEqual(facts({ scope: 'openid  models:read models:read', client_id: 'c', azp: 'a' }), { scope: ['openid', 'models:read'], client_id: 'c', azp: 'a' });
    assert.deepEqual(facts({ scp: ['models:read', 7, ''] }), { scope: ['models:read'] });
    assert.deepEqual(facts({ scp: 'User.Read Files.Read' }), { scope: ['User.Read', 'Files.Read'] });
    assert.deepEqual(facts({ scope: 3, client_id: 5, azp: ['x'] }), { scope: [] });
    assert.deepEqual(facts({}), { scope: [] });
  });

  it('prefixes the id and every group with the issuer namespace', () => {
    const id = identityFromClaims({ ...base, groups: ['eng'] }, { groupsClaim: 'groups', namespace: 'partner' });
    assert.deepEqual([id?.type, id?.id, id?.groups], ['User', 'partner:alice', ['partner:eng']]);
    const agent = identityFromClaims({ ...base, sub: 'bot', client_id: 'bot' }, { groupsClaim: 'groups', namespace: 'corp' });
    assert.deepEqual([agent?.type, agent?.id], ['Agent', 'corp:bot']);
  });
});
