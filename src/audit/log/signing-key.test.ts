// The checkpoint signing key file: created owner-only, reused as is, never replaced when unusable.

import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../lib/test-temp-dir.js';
import { loadOrCreateSigningKey, loadPublicKey, publicKeyPem } from './signing-key.js';

const dir = tempDir('key');

describe('signing key', () => {
  it('creates an Ed25519 PKCS#8 key with mode 0600 in a new directory', async () => {
    const path = join(dir, 'new', 'nested', 'checkpoint.key');
    const key = await loadOrCreateSigningKey(path);
    assert.equal(key.privateKey.asymmetricKeyType, 'ed25519');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'new'))).mode & 0o077, 0);
    assert.match(await readFile(path, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
    const sig = sign(null, Buffer.from('m'), key.privateKey);
    assert.ok(verify(null, Buffer.from('m'), key.publicKey, sig));
  });

  it('loads the same key the next time', async () => {
    const path = join(dir, 'same.key');
    const first = await loadOrCreateSigningKey(path);
    const second = await loadOrCreateSigningKey(path);
    assert.equal(publicKeyPem(second.publicKey), publicKeyPem(first.publicKey));
  });

  it('refuses a key file that is not an Ed25519 private key, and leaves it in place', async () => {
    const garbage = join(dir, 'garbage.key');
    await writeFile(garbage, 'not a key');
    await assert.rejects(loadOrCreateSigningKey(garbage), /not a PKCS#8 PEM private key/);
    assert.equal(await readFile(garbage, 'utf8'), 'not a key');
    const ec = join(dir, 'ec.key');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(ec, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await assert.rejects(loadOrCreateSigningKey(ec), /holds a ec key, expected Ed25519/);
  });

  it('round-trips the public key through SPKI PEM', async () => {
    const key = await loadOrCreateSigningKey(join(dir, 'pub.key'));
    const pemPath = join(dir, 'pub.pem');
    await writeFile(pemPath, publicKeyPem(key.privateKey));
    assert.match(await readFile(pemPath, 'utf8'), /^-----BEGIN PUBLIC KEY-----\n/);
    const loaded = await loadPublicKey(pemPath);
    assert.ok(loaded.equals(key.publicKey));
  });

  it('refuses a private key where a public key is expected', async () => {
    const path = join(dir, 'private-as-public.key');
    await loadOrCreateSigningKey(path);
    await assert.rejects(loadPublicKey(path), /not an SPKI PEM public key/);
  });
});
