// The KeyStore contract: insert, list, live keys at a time, revocation, and a version that moves.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { ApiKeyRecord } from '../ports.js';
import { HOUR, T, type StoreTest } from './harness.js';

export const key = (id: string, agent: string, over: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  id, agent, groups: ['agents', agent], hash: `hash-${id}`, createdAt: T, expiresAt: null, revokedAt: null, ...over,
});

export function keysContract(test: StoreTest): void {
  describe('keys', () => {
    test('lists inserted keys and changes the version on every insert', async (s) => {
      const v0 = await s.keys.keysVersion();
      const a = key('k1', 'bot-a');
      const b = key('k2', 'bot-b', { createdAt: T + 1, expiresAt: T + HOUR });
      await s.keys.insertKey(a);
      const v1 = await s.keys.keysVersion();
      await s.keys.insertKey(b);
      const v2 = await s.keys.keysVersion();
      assert.ok(v1 > v0 && v2 > v1, `versions ${v0}, ${v1}, ${v2}`);
      assert.deepEqual(await s.keys.listKeys(), [a, b]);
      await assert.rejects(s.keys.insertKey(key('k3', 'bot-c', { hash: a.hash })));
    });

    test('lists as live only keys neither revoked nor expired at now', async (s) => {
      await s.keys.insertKey(key('gone', 'a', { expiresAt: T - 1 }));
      await s.keys.insertKey(key('edge', 'a', { createdAt: T + 1, expiresAt: T }));
      await s.keys.insertKey(key('revoked', 'a', { createdAt: T + 2, revokedAt: T - 5 }));
      await s.keys.insertKey(key('forever', 'a', { createdAt: T + 3 }));
      await s.keys.insertKey(key('later', 'b', { createdAt: T + 4, expiresAt: T + 1000 }));
      assert.deepEqual((await s.keys.listLiveKeys(T)).map((k) => k.id), ['forever', 'later']);
      assert.deepEqual((await s.keys.listLiveKeys(T + 1000)).map((k) => k.id), ['forever']);
    });

    test('keeps whom a delegated key acts for', async (s, r) => {
      const delegated = key('d1', 'copilot', { onBehalfOf: 'alice' });
      await s.keys.insertKey(delegated);
      await s.keys.insertKey(key('d2', 'bot', { createdAt: T + 1 }));
      assert.deepEqual(await r.keys.listLiveKeys(T), [delegated, key('d2', 'bot', { createdAt: T + 1 })]);
    });

    test("revokes every live key of one agent and none of another's", async (s) => {
      await s.keys.insertKey(key('a1', 'bot-a'));
      await s.keys.insertKey(key('a2', 'bot-a', { createdAt: T + 1 }));
      await s.keys.insertKey(key('b1', 'bot-b', { createdAt: T + 2 }));
      const before = await s.keys.keysVersion();
      assert.equal(await s.keys.revokeAgentKeys('bot-a', T + 10), 2);
      const after = await s.keys.keysVersion();
      assert.ok(after > before);
      assert.deepEqual((await s.keys.listKeys()).map((k) => [k.id, k.revokedAt]), [['a1', T + 10], ['a2', T + 10], ['b1', null]]);
      assert.deepEqual((await s.keys.listLiveKeys(T + 10)).map((k) => k.id), ['b1']);
      assert.equal(await s.keys.revokeAgentKeys('bot-a', T + 20), 0);
      assert.equal(await s.keys.keysVersion(), after, 'a revocation that changed nothing keeps the version');
    });

    test('keeps an S3 credential (access key id and sealed secret), revoked with its agent; access key ids are unique', async (s) => {
      const s3 = key('s1', 'trainer', { s3: { accessKeyId: 'AKALEXAMPLE', sealedSecret: 'v1.sealed' } });
      await s.keys.insertKey(s3);
      await s.keys.insertKey(key('b1', 'trainer', { createdAt: T + 1 }));
      assert.deepEqual(await s.keys.listLiveKeys(T), [s3, key('b1', 'trainer', { createdAt: T + 1 })]);
      await assert.rejects(s.keys.insertKey(key('s2', 'other', { s3: { accessKeyId: 'AKALEXAMPLE', sealedSecret: 'v1.other' } })));
      assert.equal(await s.keys.revokeAgentKeys('trainer', T + 5), 2);
      assert.deepEqual(await s.keys.listLiveKeys(T + 5), []);
    });
  });
}
