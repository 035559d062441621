import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { AirlockError } from '../../lib/errors.js';
import { UNKNOWN_MFA_AGE } from '../../model/principal.js';
import { testClock } from '../oidc/test-issuer.js';
import { FakeKeyStore, keyRecord } from './fake-key-store.js';
import { generateApiKey } from './key-format.js';
import { LiveKeys } from './live-keys.js';
import { principalForApiKey } from './verify-key.js';

async function setup(pollMs = 60_000) {
  const store = new FakeKeyStore();
  const clock = testClock();
  const keys = new LiveKeys(store, { now: clock.now, pollMs });
  return { store, clock, keys };
}

function refusal(fn: () => unknown, code = 'unauthenticated'): AirlockError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AirlockError);
    assert.equal(err.code, code);
    return err;
  }
  return assert.fail('expected a refusal');
}

describe('API keys', () => {
  it('accepts a created key as Agent::"<name>" with its groups', async () => {
    const { store, keys } = await setup();
    const { key, hash } = generateApiKey();
    await store.insertKey(keyRecord('trainer', hash, { groups: ['ml', 'ci'] }));
    await keys.start();
    assert.deepEqual({ ...principalForApiKey(keys, key) }, {
      type: 'Agent', id: 'trainer', groups: ['ml', 'ci'], mfa: false, mfaAge: UNKNOWN_MFA_AGE, authMethod: 'api_key',
    });
    keys.close();
  });

  it('refuses a revoked key after a refresh', async () => {
    const { store, keys, clock } = await setup();
    const { key, hash } = generateApiKey();
    await store.insertKey(keyRecord('bot', hash));
    await keys.start();
    principalForApiKey(keys, key);
    await store.revokeAgentKeys('bot', clock.now());
    await keys.refresh();
    refusal(() => principalForApiKey(keys, key));
    keys.close();
  });

  it('refuses a key revoked by another process within one second, by polling', async () => {
    const { store, keys, clock } = await setup(500);
    const { key, hash } = generateApiKey();
    await store.insertKey(keyRecord('bot', hash));
    await keys.start();
    await store.revokeAgentKeys('bot', clock.now());
    await sleep(1_000);
    refusal(() => principalForApiKey(keys, key));
    keys.close();
  });

  it('reads the key list only when the store version changes', async () => {
    const { store, keys } = await setup();
    await keys.start();
    const reads = store.reads;
    for (let i = 0; i < 5; i++) await keys.refresh();
    assert.equal(store.reads, reads);
    keys.close();
  });

  it('refuses an expired key before any refresh', async () => {
    const { store, keys, clock } = await setup();
    const { key, hash } = generateApiKey();
    await store.insertKey(keyRecord('bot', hash, { expiresAt: clock.now() + 10_000 }));
    await keys.start();
    assert.equal(principalForApiKey(keys, key).expiresAt, Math.floor((clock.now() + 10_000) / 1000));
    clock.advance(10_000);
    refusal(() => principalForApiKey(keys, key));
    keys.close();
  });

  it('refuses unknown and malformed keys with messages that hold no part of the key', async () => {
    const { keys } = await setup();
    await keys.start();
    const { key } = generateApiKey();
    for (const k of [key, 'alk_short', key + 'A']) {
      const err = refusal(() => principalForApiKey(keys, k));
      assert.ok(!err.message.includes(k.slice(4, 10)) && !JSON.stringify(err.details).includes(k.slice(4, 10)));
    }
    keys.close();
  });

  it('keeps the last good keys when the store fails, and still refuses unknown keys', async () => {
    const { store, keys } = await setup();
    const good = generateApiKey();
    await store.insertKey(keyRecord('bot', good.hash));
    await keys.start();
    store.failing = true;
    await assert.rejects(keys.refresh());
    assert.equal(keys.healthy, false);
    assert.equal(principalForApiKey(keys, good.key).id, 'bot');
    refusal(() => principalForApiKey(keys, generateApiKey().key));
    keys.close();
  });

  it('fails closed once the key map is older than 5 s: every key, known or not, is store_unavailable until a read succeeds', async () => {
    const store = new FakeKeyStore();
    const clock = testClock();
    const keys = new LiveKeys(store, { now: clock.now, pollMs: 500 });
    const good = generateApiKey();
    await store.insertKey(keyRecord('bot', good.hash));
    await keys.start();
    keys.close(); // polls are driven by hand, on the test clock
    store.failing = true;
    clock.advance(4_900);
    await assert.rejects(keys.refresh());
    assert.equal(principalForApiKey(keys, good.key).id, 'bot', 'a blip shorter than the bound changes nothing');
    clock.advance(200);
    const unknown = generateApiKey().key;
    for (const k of [good.key, unknown]) {
      const err = refusal(() => principalForApiKey(keys, k), 'store_unavailable');
      assert.ok(!err.message.includes(k.slice(4, 12)));
    }
    refusal(() => principalForApiKey(keys, 'alk_short'));
    store.failing = false;
    await keys.refresh();
    assert.equal(principalForApiKey(keys, good.key).id, 'bot');
    refusal(() => principalForApiKey(keys, unknown));
  });

  it('refuses every key (store_unavailable) while the store has never been readable', async () => {
    const { store, keys } = await setup();
    const { key, hash } = generateApiKey();
    await store.insertKey(keyRecord('bot', hash));
    store.failing = true;
    await keys.start();
    refusal(() => principalForApiKey(keys, key), 'store_unavailable');
    store.failing = false;
    await keys.refresh();
    assert.equal(principalForApiKey(keys, key).id, 'bot');
    keys.close();
  });
});
