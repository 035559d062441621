import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { tempDir } from '../lib/test-temp-dir.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { SealBroken } from './envelope.js';
import { generateKek, KeyRing } from './keyring.js';
import { rotateKek } from './rotate.js';
import { SecretVault } from './vault.js';

async function withSecrets() {
  const dir = tempDir('rotate');
  const dbFile = path.join(dir, 'store.db');
  const kekFile = path.join(dir, 'secrets.kek');
  const store = openSqliteStore(dbFile);
  const vault = await SecretVault.open(store.secrets, kekFile);
  for (const [name, value] of [['a', 'alpha'], ['b', 'beta'], ['a', 'alpha-2']] as const) await vault.put(name, Buffer.from(value));
  return { dir, dbFile, kekFile, store, vault };
}

const readAll = async (vault: SecretVault) => [(await vault.read('a', 1))?.value.toString(), (await vault.read('a'))?.value.toString(), (await vault.read('b'))?.value.toString()];

describe('KEK rotation', () => {
  it('re-wraps every data key under a new KEK and leaves only that KEK on file', async () => {
    const { store, vault, kekFile } = await withSecrets();
    const old = vault.keyring.newest.id;
    const other = await SecretVault.open(openSqliteStore(path.join(path.dirname(kekFile), 'store.db')).secrets, kekFile);
    const r = await rotateKek(vault);
    assert.deepEqual(r.from, [old]);
    assert.equal(r.rewrapped, 3);
    assert.deepEqual((await KeyRing.read(kekFile))!.ids, [r.to]);
    assert.equal(await store.secrets.currentKek(), r.to);
    assert.deepEqual(await readAll(vault), ['alpha', 'alpha-2', 'beta']);
    // Another process that loaded the old keyring reads the file again when it meets the new KEK.
    assert.deepEqual(await readAll(other), ['alpha', 'alpha-2', 'beta']);
    assert.equal(await other.put('c', Buffer.from('gamma')), 1);
    assert.equal((await store.secrets.getSecret('c'))?.kekId, r.to);
    await store.close();
  });

  it('leaves every secret readable when interrupted after the new KEK is on file, and completes when run again', async () => {
    const { store, vault, kekFile, dbFile } = await withSecrets();
    // Step 1 done, then the process died: the file holds both, the store still the old one.
    await vault.keyring.replace([generateKek(), ...vault.keyring.keks]);
    const restarted = await SecretVault.open(openSqliteStore(dbFile).secrets, kekFile);
    assert.deepEqual(await readAll(restarted), ['alpha', 'alpha-2', 'beta']);
    assert.equal(await restarted.put('b', Buffer.from('beta-2')), 2);
    const r = await rotateKek(restarted);
    assert.equal(r.from.length, 2);
    assert.deepEqual((await KeyRing.read(kekFile))!.ids, [r.to]);
    assert.deepEqual(await readAll(restarted), ['alpha', 'alpha-2', 'beta-2']);
    await store.close();
  });

  it('changes nothing in the store and keeps the old KEK on file when a version is tampered with', async () => {
    const { store, vault, kekFile, dbFile } = await withSecrets();
    const old = vault.keyring.newest.id;
    const db = new Database(dbFile);
    const row = db.prepare(`SELECT wrapped_key FROM secret_versions WHERE name = 'b'`).pluck().get() as Buffer;
    db.prepare(`UPDATE secret_versions SET wrapped_key = ? WHERE name = 'a' AND version = 1`).run(row);
    db.close();
    await assert.rejects(rotateKek(vault), (e) => e instanceof SealBroken && e.context === 'secret:a:1');
    assert.equal(await store.secrets.currentKek(), old);
    assert.ok((await KeyRing.read(kekFile))!.ids.includes(old));
    const fresh = await SecretVault.open(openSqliteStore(dbFile).secrets, kekFile);
    assert.equal((await fresh.read('a'))?.value.toString(), 'alpha-2');
    assert.equal((await fresh.read('b'))?.value.toString(), 'beta');
    await store.close();
  });
});
