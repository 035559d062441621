// S3 credentials at rest and in the live key map: secrets sealed under the key file (made 0600),
// bound to their access key id; S3 records never accepted as bearer keys; revocation felt.
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { AirlockError } from '../../lib/errors.js';
import { tempDir } from '../../lib/test-temp-dir.js';
import { waitFor } from '../../lib/test-wait.js';
import { FakeKeyStore, keyRecord } from '../api-keys/fake-key-store.js';
import { LiveKeys } from '../api-keys/live-keys.js';
import { principalForApiKey } from '../api-keys/verify-key.js';
import { S3Credentials } from './s3-credentials.js';
import { generateS3Key } from './s3-key-format.js';
import { loadOrCreateSealer } from './secret-sealer.js';

const noChanges = { publish: async () => undefined, subscribe: () => () => undefined };

describe('S3 keys', () => {
  it('creates the key file 0600 once, and opens a sealed secret only for its own access key id', async () => {
    const file = path.join(tempDir('kek'), 'nested', 's3.kek');
    const sealer = await loadOrCreateSealer(file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const { accessKeyId, secret } = generateS3Key();
    const sealed = sealer.seal(secret, accessKeyId);
    assert.ok(!sealed.includes(secret));
    assert.equal((await loadOrCreateSealer(file)).open(sealed, accessKeyId), secret, 'the same file opens it again');
    assert.throws(() => sealer.open(sealed, 'AKALOTHERKEY00000000'));
    // A changed byte in the middle (the last base64 character may only carry padding bits).
    const mid = Math.floor(sealed.length / 2);
    const flipped = `${sealed.slice(0, mid)}${sealed[mid] === 'A' ? 'B' : 'A'}${sealed.slice(mid + 1)}`;
    assert.throws(() => sealer.open(flipped, accessKeyId));
    const other = path.join(tempDir('kek'), 'other.kek');
    const otherKey = await loadOrCreateSealer(other);
    assert.throws(() => otherKey.open(sealed, accessKeyId), 'another key file does not open it');
  });

  it('refuses a key file that does not hold a 32-byte key, naming the file', async () => {
    const file = path.join(tempDir('kek'), 'bad.kek');
    writeFileSync(file, 'short\n');
    await assert.rejects(loadOrCreateSealer(file), (err) => err instanceof AirlockError && err.message.includes(file));
  });

  it('finds a live S3 credential by access key id, never as a bearer key, and not once revoked (by the next poll)', async () => {
    const sealer = await loadOrCreateSealer(path.join(tempDir('kek'), 's3.kek'));
    const store = new FakeKeyStore();
    const key = generateS3Key();
    await store.insertKey(keyRecord('trainer', key.hash, { groups: ['trainers'], s3: { accessKeyId: key.accessKeyId, sealedSecret: sealer.seal(key.secret, key.accessKeyId) } }));
    const creds = new S3Credentials({ keys: store, changes: noChanges }, sealer, { pollMs: 100 });
    const found = await creds.lookup(key.accessKeyId);
    assert.equal(found?.principal.id, 'trainer');
    assert.deepEqual(found?.principal.groups, ['trainers']);
    assert.equal(found?.secret(), key.secret);
    assert.equal(await creds.lookup('AKALNOSUCHKEY0000000'), undefined);
    const live = new LiveKeys(store);
    await live.start();
    assert.equal(live.lookup(key.secret), undefined, 'the S3 secret is no bearer key');
    assert.throws(() => principalForApiKey(live, key.secret), AirlockError);
    live.close();
    await store.revokeAgentKeys('trainer', Date.now());
    await waitFor(async () => (await creds.lookup(key.accessKeyId)) === undefined, 2_000);
    creds.close();
  });

  it('answers store_unavailable, not a possibly revoked key, once the key map is too old', async () => {
    const sealer = await loadOrCreateSealer(path.join(tempDir('kek'), 's3.kek'));
    const store = new FakeKeyStore();
    const key = generateS3Key();
    await store.insertKey(keyRecord('trainer', key.hash, { s3: { accessKeyId: key.accessKeyId, sealedSecret: sealer.seal(key.secret, key.accessKeyId) } }));
    let now = Date.now();
    const creds = new S3Credentials({ keys: store, changes: noChanges }, sealer, { pollMs: 1_000, now: () => now });
    assert.equal((await creds.lookup(key.accessKeyId))?.principal.id, 'trainer');
    store.failing = true;
    now += 60_000;
    await assert.rejects(creds.lookup(key.accessKeyId), (err: unknown) => err instanceof AirlockError && err.code === 'store_unavailable');
    creds.close();
  });
});
