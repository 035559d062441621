// The SecretStore contract: the current KEK claimed once, versions numbered per name and never
// reused, sealed bytes kept exactly, puts sealed under the KEK current at commit, and a rotation
// that re-wraps every version in one transaction or none.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { SecretStore } from '../ports.js';
import { T, type StoreTest } from './harness.js';

/** A stand-in for the envelope: what it was sealed for is readable in the bytes. */
const fakeSeal = (value: string) => (version: number, kekId: string) => ({
  wrappedKey: Buffer.from(`wrapped ${kekId} v${version}`),
  ciphertext: Buffer.concat([Buffer.from([0, 255, 0]), Buffer.from(value)]),
});

async function put(s: SecretStore, name: string, value: string, now = T): Promise<number> {
  return s.putSecret(name, fakeSeal(value), now);
}

export function secretsContract(test: StoreTest): void {
  describe('secrets', () => {
    test('claims the first key-encryption key and keeps it', async (s, r) => {
      assert.equal(await s.secrets.currentKek(), undefined);
      assert.equal(await s.secrets.claimKek('kek-a', T), 'kek-a');
      assert.equal(await r.secrets.claimKek('kek-b', T), 'kek-a');
      assert.equal(await r.secrets.currentKek(), 'kek-a');
    });

    test('numbers versions per name, seals them under the current KEK and keeps their bytes exactly', async (s) => {
      await s.secrets.claimKek('kek-a', T);
      const v0 = await s.secrets.secretsVersion();
      assert.equal(await put(s.secrets, 'openai-key', 'one', T), 1);
      assert.equal(await put(s.secrets, 'openai-key', 'two', T + 5), 2);
      assert.equal(await put(s.secrets, 'db-password', 'x', T + 1), 1);
      assert.ok((await s.secrets.secretsVersion()) > v0);
      const newest = await s.secrets.getSecret('openai-key');
      assert.deepEqual(newest, {
        name: 'openai-key', version: 2, kekId: 'kek-a', wrappedKey: Buffer.from('wrapped kek-a v2'),
        ciphertext: Buffer.concat([Buffer.from([0, 255, 0]), Buffer.from('two')]), createdAt: T + 5,
      });
      assert.equal((await s.secrets.getSecret('openai-key', 1))?.ciphertext.subarray(3).toString(), 'one');
      assert.equal(await s.secrets.getSecret('openai-key', 3), undefined);
      assert.equal(await s.secrets.getSecret('nope'), undefined);
      assert.deepEqual(await s.secrets.listSecrets(), [
        { name: 'db-password', version: 1, versions: 1, createdAt: T + 1, updatedAt: T + 1 },
        { name: 'openai-key', version: 2, versions: 2, createdAt: T, updatedAt: T + 5 },
      ]);
    });

    test('refuses a put before any KEK is claimed, and stores nothing when sealing fails', async (s) => {
      await assert.rejects(put(s.secrets, 'early', 'x'));
      await s.secrets.claimKek('kek-a', T);
      const v0 = await s.secrets.secretsVersion();
      await assert.rejects(s.secrets.putSecret('a', () => { throw new Error('keyring lacks the KEK'); }, T));
      assert.equal(await s.secrets.getSecret('a'), undefined);
      assert.equal(await s.secrets.secretsVersion(), v0);
      assert.equal(await put(s.secrets, 'a', 'x'), 1, 'the failed put used no version number');
    });

    test('deletes every version, and never reuses a version number afterwards', async (s) => {
      await s.secrets.claimKek('kek-a', T);
      await put(s.secrets, 'token', 'a');
      await put(s.secrets, 'token', 'b');
      const before = await s.secrets.secretsVersion();
      assert.equal(await s.secrets.deleteSecret('token'), 2);
      assert.ok((await s.secrets.secretsVersion()) > before);
      assert.equal(await s.secrets.getSecret('token'), undefined);
      assert.equal(await s.secrets.getSecret('token', 1), undefined);
      assert.deepEqual(await s.secrets.listSecrets(), []);
      const after = await s.secrets.secretsVersion();
      assert.equal(await s.secrets.deleteSecret('token'), 0);
      assert.equal(await s.secrets.secretsVersion(), after, 'deleting nothing keeps the version');
      assert.equal(await put(s.secrets, 'token', 'c'), 3);
    });

    test('gives concurrent puts from two replicas distinct versions', async (s, r) => {
      await s.secrets.claimKek('kek-a', T);
      const versions = await Promise.all(Array.from({ length: 10 }, (_, i) => put(i % 2 ? r.secrets : s.secrets, 'shared', `v${i}`)));
      assert.deepEqual([...versions].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    test('re-wraps every version not under the new KEK in one transaction, then seals new values under it', async (s, r) => {
      await s.secrets.claimKek('kek-a', T);
      await put(s.secrets, 'a', 'x');
      await put(s.secrets, 'b', 'y');
      await put(s.secrets, 'b', 'z');
      const seen: string[] = [];
      const n = await s.secrets.rotateKek('kek-b', (v) => (seen.push(`${v.name}@${v.version}:${v.kekId}`), Buffer.from(`rewrapped ${v.name} v${v.version}`)), T + 9);
      assert.equal(n, 3);
      assert.deepEqual(seen.sort(), ['a@1:kek-a', 'b@1:kek-a', 'b@2:kek-a']);
      assert.equal(await r.secrets.currentKek(), 'kek-b');
      const b1 = await r.secrets.getSecret('b', 1);
      assert.equal(b1?.kekId, 'kek-b');
      assert.equal(b1?.wrappedKey.toString(), 'rewrapped b v1');
      assert.equal(b1?.ciphertext.subarray(3).toString(), 'y', 'the ciphertext is untouched');
      assert.equal(await put(r.secrets, 'c', 'w'), 1);
      assert.equal((await s.secrets.getSecret('c'))?.kekId, 'kek-b');
      assert.equal(await s.secrets.rotateKek('kek-b', () => Buffer.from('never'), T + 10), 0, 'nothing is left under another KEK');
    });

    test('rolls a rotation back whole when one version cannot be re-wrapped', async (s) => {
      await s.secrets.claimKek('kek-a', T);
      await put(s.secrets, 'a', 'x');
      await put(s.secrets, 'b', 'y');
      await assert.rejects(
        s.secrets.rotateKek('kek-b', (v) => {
          if (v.name === 'b') throw new Error('tampered');
          return Buffer.from('new');
        }, T),
        /tampered/,
      );
      assert.equal(await s.secrets.currentKek(), 'kek-a');
      for (const name of ['a', 'b']) {
        const v = await s.secrets.getSecret(name);
        assert.equal(v?.kekId, 'kek-a');
        assert.equal(v?.wrappedKey.toString(), `wrapped kek-a v1`);
      }
    });
  });
}
