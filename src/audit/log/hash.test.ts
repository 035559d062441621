// Leaf and node hashes equal their RFC 6962 definitions for every input shape the fast path
// treats differently: strings and bytes, multi-byte UTF-8, and inputs larger than the scratch.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { emptyRoot, leafHash, nodeHash } from './hash.js';

const sha = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();

describe('hash', () => {
  it('hashes a leaf as SHA-256(0x00 || UTF-8 bytes), string or Buffer alike', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 30 })), (s) => {
        const want = sha(Buffer.from([0]), Buffer.from(s, 'utf8'));
        assert.deepEqual(leafHash(s), want);
        assert.deepEqual(leafHash(Buffer.from(s, 'utf8')), want);
      }),
    );
  });

  it('hashes inputs larger than the scratch buffer correctly', () => {
    for (const n of [4095, 4096, 20_000, 64 * 1024, 200_000]) {
      const s = 'é'.repeat(n);
      assert.deepEqual(leafHash(s), sha(Buffer.from([0]), Buffer.from(s, 'utf8')), `length ${n}`);
    }
  });

  it('hashes a node as SHA-256(0x01 || left || right), and the empty tree as SHA-256("")', () => {
    const l = sha(Buffer.from('l'));
    const r = sha(Buffer.from('r'));
    assert.deepEqual(nodeHash(l, r), sha(Buffer.from([1]), l, r));
    assert.notDeepEqual(nodeHash(r, l), nodeHash(l, r));
    assert.equal(emptyRoot().toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('returns a fresh buffer each time, never the shared scratch', () => {
    const a = leafHash('a');
    const copy = Buffer.from(a);
    leafHash('b');
    nodeHash(a, a);
    assert.deepEqual(a, copy);
  });
});
