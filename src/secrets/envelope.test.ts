import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AirlockError } from '../lib/errors.js';
import { decodeSealed, encodeSealed, SealBroken, SecretBox, type KekSource } from './envelope.js';
import { generateKek } from './keyring.js';

const a = generateKek();
const b = generateKek();
const keks: KekSource = { kek: (id) => [a, b].find((k) => k.id === id)?.key };
const underA = new SecretBox(keks, a.id);
const underB = new SecretBox(keks, b.id);
const value = Buffer.from('sk-live-0123456789abcdef\u0000\u00ff', 'latin1');

describe('envelope', () => {
  it('seals a value so that neither the ciphertext nor the wrapped key contains it, and opens it back', () => {
    const sealed = underA.seal(value, 'secret:api:1');
    assert.equal(sealed.kekId, a.id);
    assert.equal(sealed.ciphertext.includes(value), false);
    assert.equal(sealed.ciphertext.includes(Buffer.from('sk-live')), false);
    assert.deepEqual(underA.open(sealed, 'secret:api:1'), value);
    assert.deepEqual(underB.open(sealed, 'secret:api:1'), value, 'any KEK the keyring holds opens');
  });

  it('refuses a sealed value presented under another name or version as tampered', () => {
    const sealed = underA.seal(value, 'secret:api:1');
    for (const other of ['secret:api:2', 'secret:db:1', 'secret:api:1 ']) {
      assert.throws(() => underA.open(sealed, other), (e) => e instanceof SealBroken && e.code === 'secret_tampered' && e.context === other);
    }
  });

  it('refuses any edited byte of the wrapped key or the ciphertext, and the error never holds the value', () => {
    const sealed = underA.seal(value, 'secret:api:1');
    fc.assert(
      fc.property(fc.boolean(), fc.nat(), fc.integer({ min: 1, max: 255 }), (inKey, at, flip) => {
        const target = Buffer.from(inKey ? sealed.wrappedKey : sealed.ciphertext);
        target[at % target.length]! ^= flip;
        const edited = inKey ? { ...sealed, wrappedKey: target } : { ...sealed, ciphertext: target };
        try {
          underA.open(edited, 'secret:api:1');
          return false;
        } catch (e) {
          return e instanceof SealBroken && !e.message.includes('sk-live');
        }
      }),
    );
    assert.throws(() => underA.open({ ...sealed, ciphertext: sealed.ciphertext.subarray(0, 10) }, 'secret:api:1'), SealBroken);
  });

  it('re-wraps only the data key under another KEK: the ciphertext stays, the old KEK is no longer needed', () => {
    const sealed = underA.seal(value, 'secret:api:3');
    const moved = underB.rewrap(sealed, 'secret:api:3');
    assert.equal(moved.kekId, b.id);
    assert.deepEqual(moved.ciphertext, sealed.ciphertext);
    assert.notDeepEqual(moved.wrappedKey, sealed.wrappedKey);
    const onlyB = new SecretBox({ kek: (id) => (id === b.id ? b.key : undefined) }, b.id);
    assert.deepEqual(onlyB.open(moved, 'secret:api:3'), value);
  });

  it('names the KEK it lacks, as a configuration problem', () => {
    const sealed = underA.seal(value, 'x');
    const none = new SecretBox({ kek: () => undefined }, a.id);
    assert.throws(() => none.open(sealed, 'x'), (e) => e instanceof AirlockError && e.code === 'config_invalid' && e.details.kek_id === a.id);
  });

  it('encodes a sealed value as one line and decodes it back', () => {
    const sealed = underA.seal(value, 's3:AKIA123');
    const line = encodeSealed(sealed);
    assert.match(line, /^v1\.[0-9a-f]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.deepEqual(underA.open(decodeSealed(line), 's3:AKIA123'), value);
    assert.throws(() => decodeSealed('v2.x.y.z'), (e) => e instanceof AirlockError && e.code === 'secret_tampered');
  });
});
