import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { AirlockError } from '../lib/errors.js';
import { tempDir } from '../lib/test-temp-dir.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { SealBroken } from './envelope.js';
import { KeyRing } from './keyring.js';
import { SecretVault } from './vault.js';

let n = 0;
function fresh() {
  const dir = tempDir('vault');
  const dbFile = path.join(dir, `store-${n++}.db`);
  return { dir, dbFile, kekFile: path.join(dir, 'keys', 'secrets.kek'), store: openSqliteStore(dbFile) };
}

describe('secret vault', () => {
  it('creates the keyring (0600) on first use, and keeps versions of a value', async () => {
    const { store, kekFile } = fresh();
    const vault = await SecretVault.open(store.secrets, kekFile);
    assert.equal((await stat(kekFile)).mode & 0o777, 0o600);
    assert.equal(await vault.put('openai', Buffer.from('sk-one')), 1);
    assert.equal(await vault.put('openai', Buffer.from('sk-two')), 2);
    assert.equal((await vault.read('openai'))?.value.toString(), 'sk-two');
    assert.equal((await vault.read('openai', 1))?.value.toString(), 'sk-one');
    assert.equal(await vault.read('missing'), undefined);
    await store.close();
  });

  it('refuses to start without the keyring the stored secrets need, and creates none', async () => {
    const { store, kekFile, dir } = fresh();
    await (await SecretVault.open(store.secrets, kekFile)).put('a', Buffer.from('x'));
    const gone = path.join(dir, 'elsewhere', 'secrets.kek');
    await assert.rejects(SecretVault.open(store.secrets, gone), (e) => e instanceof AirlockError && e.code === 'config_invalid' && /is missing, but the stored secrets are sealed under KEK [0-9a-f]{16}/.test(e.message));
    await assert.rejects(stat(gone), /ENOENT/);
    const other = path.join(dir, 'other.kek');
    await KeyRing.create(other);
    await assert.rejects(SecretVault.open(store.secrets, other), /does not hold KEK [0-9a-f]{16}, which the stored secrets are sealed under/);
    await store.close();
  });

  it('refuses a ciphertext edited or swapped between names in the database as tampered', async () => {
    const { store, kekFile, dbFile } = fresh();
    const vault = await SecretVault.open(store.secrets, kekFile);
    await vault.put('prod-db', Buffer.from('prod-password'));
    await vault.put('dev-db', Buffer.from('dev-password'));
    const db = new Database(dbFile);
    // An attacker with write access to the database moves the production row under the dev name.
    const prod = db.prepare(`SELECT wrapped_key, ciphertext FROM secret_versions WHERE name = 'prod-db'`).get() as { wrapped_key: Buffer; ciphertext: Buffer };
    db.prepare(`UPDATE secret_versions SET wrapped_key = ?, ciphertext = ? WHERE name = 'dev-db'`).run(prod.wrapped_key, prod.ciphertext);
    await assert.rejects(vault.read('dev-db'), (e) => e instanceof SealBroken && e.message === 'secret:dev-db:1: failed its integrity check (edited, or moved from another secret)');
    const edited = Buffer.from(prod.ciphertext);
    edited[edited.length - 1]! ^= 1;
    db.prepare(`UPDATE secret_versions SET ciphertext = ? WHERE name = 'prod-db'`).run(edited);
    await assert.rejects(vault.read('prod-db'), SealBroken);
    db.close();
    await store.close();
  });

  it('seals values kept elsewhere under contexts of their own, never the store\'s', async () => {
    const { store, kekFile } = fresh();
    const vault = await SecretVault.open(store.secrets, kekFile);
    const sealed = await vault.seal(Buffer.from('s3-secret'), 's3-key:AKIAEXAMPLE');
    assert.equal((await vault.open(sealed, 's3-key:AKIAEXAMPLE')).toString(), 's3-secret');
    await assert.rejects(vault.open(sealed, 's3-key:AKIAOTHER'), SealBroken);
    await assert.rejects(vault.seal(Buffer.from('x'), 'secret:a:1'), /belong to the secret store/);
    await store.close();
  });
});
