import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { DEV_AUDIENCE, DEV_ISSUER, devJwks, ensureDevKey, signDevToken } from './dev-keys.js';
import { createIdentifier } from './identifier.js';
import { tempDir } from '../lib/test-temp-dir.js';

const tmp = () => tempDir('dev');

describe('development identity', () => {
  it('creates the key once, private to the owner, and writes jwks.json', async () => {
    const dir = join(tmp(), 'nested');
    const first = await ensureDevKey(dir);
    const second = await ensureDevKey(dir);
    assert.equal(first.kid, second.kid);
    assert.equal((await stat(join(dir, 'dev-signing-key.pem'))).mode & 0o777, 0o600);
    const written = JSON.parse(await readFile(join(dir, 'jwks.json'), 'utf8')) as { keys: Record<string, unknown>[] };
    assert.deepEqual(written, await devJwks(dir));
    assert.equal(written.keys[0]!['kid'], first.kid);
    assert.equal(written.keys[0]!['d'], undefined, 'the JWKS holds no private key');
  });

  it('signs tokens for the dev issuer with amr and auth_time only when asked for MFA', async () => {
    const dir = tmp();
    const now = () => Date.UTC(2030, 0, 1);
    const plain = decodeJwt(await signDevToken({ dir, sub: 'bob', now }));
    assert.deepEqual([plain.iss, plain.aud, plain.sub, plain.amr, plain['auth_time']], [DEV_ISSUER, DEV_AUDIENCE, 'bob', undefined, undefined]);
    const mfa = decodeJwt(await signDevToken({ dir, sub: 'bob', mfa: true, ttlSeconds: 60, now }));
    assert.deepEqual(mfa.amr, ['mfa']);
    assert.equal(mfa['auth_time'], now() / 1000);
    assert.equal(mfa.exp, now() / 1000 + 60);
  });

  it('issues tokens that createIdentifier accepts through the dev JWKS file', async () => {
    const base = tmp();
    const dir = join(base, '.airlock-dev');
    const token = await signDevToken({ dir, sub: 'alice', groups: ['ml-eng', 'admins'], mfa: true });
    const id = await createIdentifier({
      oidc: [{ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, jwks_file: relative(base, join(dir, 'jwks.json')) }],
      baseDir: base,
    });
    const p = await id.identify(`Bearer ${token}`);
    assert.deepEqual([p.type, p.id, p.groups, p.mfa], ['User', 'alice', ['ml-eng', 'admins'], true]);
    assert.ok(p.mfaAge < 5);
    await id.close();
  });
});
