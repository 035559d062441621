// Checkpoints: the exact C2SP tlog-checkpoint text, and refusal of anything tampered, foreign or
// malformed.

import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseCheckpoint, signCheckpoint, verifyCheckpoint } from './checkpoint.js';
import { rawPublicKey, signNote } from './signed-note.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const root = createHash('sha256').update('a tree').digest();
const checkpoint = { origin: 'airlock.example/audit', size: 20852163, root };
const signed = signCheckpoint(checkpoint, privateKey);
const [body = '', sigLine = ''] = signed.split('\n\n');

describe('checkpoint', () => {
  it('writes origin, size and base64 root, a blank line and one em-dash signature line', () => {
    assert.equal(body, `airlock.example/audit\n20852163\n${root.toString('base64')}`);
    assert.match(sigLine, /^\u2014 airlock\.example\/audit [A-Za-z0-9+/]{91}=\n$/);
    const blob = Buffer.from(sigLine.split(' ')[2]!, 'base64');
    assert.equal(blob.length, 4 + 64);
    const expectedId = createHash('sha256')
      .update(Buffer.concat([Buffer.from('airlock.example/audit\n\x01', 'latin1'), rawPublicKey(publicKey)]))
      .digest()
      .subarray(0, 4);
    assert.deepEqual(blob.subarray(0, 4), expectedId);
  });

  it('parses and verifies what it signed', () => {
    const parsed = parseCheckpoint(signed);
    assert.equal(parsed.origin, checkpoint.origin);
    assert.equal(parsed.size, checkpoint.size);
    assert.deepEqual(parsed.root, root);
    assert.deepEqual(parsed.extensions, []);
    assert.equal(parsed.signatures.length, 1);
    assert.deepEqual(verifyCheckpoint(signed, publicKey), checkpoint);
  });

  it('refuses a tampered body', () => {
    const other = createHash('sha256').update('another tree').digest().toString('base64');
    for (const tampered of [
      signed.replace('20852163', '20852164'),
      signed.replace(root.toString('base64'), other),
      signed.replace('airlock.example/audit\n', 'airlock.example/audiT\n'),
    ]) {
      assert.throws(() => verifyCheckpoint(tampered, publicKey), /does not verify|not signed by/);
    }
  });

  it('refuses a checkpoint signed by another key', () => {
    const other = generateKeyPairSync('ed25519');
    const foreign = signCheckpoint(checkpoint, other.privateKey);
    assert.throws(() => verifyCheckpoint(foreign, publicKey), /not signed by key airlock\.example\/audit\+/);
  });

  it('refuses a signature line whose key id is not ours', () => {
    const blob = Buffer.from(sigLine.trim().split(' ')[2]!, 'base64');
    blob[0]! ^= 0xff;
    const forged = `${body}\n\n\u2014 ${checkpoint.origin} ${blob.toString('base64')}\n`;
    assert.throws(() => verifyCheckpoint(forged, publicKey), /not signed by key/);
  });

  it('refuses a checkpoint signed under a name other than its origin', () => {
    const note = signNote(`${body}\n`, 'someone.else/log', privateKey);
    assert.throws(() => verifyCheckpoint(note, publicKey), /not signed by key airlock\.example\/audit\+/);
  });

  it('keeps extension lines, covered by the signature', () => {
    const note = signNote(`${body}\nTimestamp: 1\n`, checkpoint.origin, privateKey);
    assert.deepEqual(parseCheckpoint(note).extensions, ['Timestamp: 1']);
    assert.throws(() => verifyCheckpoint(note.replace('Timestamp: 1', 'Timestamp: 2'), publicKey), /does not verify/);
  });

  it('refuses malformed bodies with a clear error', () => {
    const b64 = root.toString('base64');
    const cases: Record<string, [string, RegExp]> = {
      'leading zero': [`o\n020\n${b64}\n`, /size "020" is not a decimal tree size/],
      negative: [`o\n-1\n${b64}\n`, /not a decimal tree size/],
      'not a number': [`o\nten\n${b64}\n`, /not a decimal tree size/],
      'beyond 2^53': [`o\n9007199254740993\n${b64}\n`, /not a decimal tree size/],
      'short root': [`o\n1\n${root.subarray(1).toString('base64')}\n`, /not a base64 32-byte hash/],
      'unpadded root': [`o\n1\n${b64.replace(/=$/, '')}\n`, /not a base64 32-byte hash/],
      'no root': ['o\n1\n', /not a base64 32-byte hash/],
    };
    for (const [why, [text, error]] of Object.entries(cases)) {
      const note = signNote(text, 'o', privateKey);
      assert.throws(() => parseCheckpoint(note), error, why);
    }
    assert.throws(() => signCheckpoint({ ...checkpoint, size: -1 }, privateKey), RangeError);
    assert.throws(() => signCheckpoint({ ...checkpoint, root: Buffer.alloc(31) }, privateKey), TypeError);
    assert.throws(() => signCheckpoint({ ...checkpoint, origin: 'has space' }, privateKey), SyntaxError);
  });
});
