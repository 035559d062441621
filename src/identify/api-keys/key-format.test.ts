import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { generateApiKey, hashApiKey, isWellFormedApiKey } from './key-format.js';

describe('API key format', () => {
  it('makes alk_ keys with 32 random bytes, different every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const { key } = generateApiKey();
      assert.match(key, /^alk_[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(key.slice(4), 'base64url').length, 32);
      seen.add(key);
    }
    assert.equal(seen.size, 1000);
  });

  it('stores only the hex SHA-256 of the whole key', () => {
    const { key, hash } = generateApiKey();
    assert.equal(hash, createHash('sha256').update(key).digest('hex'));
    assert.equal(hashApiKey(key), hash);
    assert.ok(!hash.includes(key.slice(4, 12)));
  });

  it('recognises only the exact key shape', () => {
    const { key } = generateApiKey();
    assert.ok(isWellFormedApiKey(key));
    for (const bad of ['alk_', 'alk_short', key + 'x', key.slice(0, -1), key.replace('alk_', 'ALK_'), `${key.slice(0, -1)}=`]) {
      assert.ok(!isWellFormedApiKey(bad), bad);
    }
  });
});
