// Signed notes: byte-for-byte agreement with Go's golang.org/x/mod/sumdb/note reference example
// (key id, public key and deterministic Ed25519 signature), strict parsing, and fail-closed opening.

import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { keyId, openNote, parseNote, rawPublicKey, signNote, verifierKey } from './signed-note.js';

// The sumdb/note package's example: signer key "PRIVATE+KEY+PeterNeumann+c74f20a3+<0x01 || seed>",
// verifier key "PeterNeumann+c74f20a3+<0x01 || public key>", and the note it signs.
const GO_SEED = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1);
const GO_PUBLIC = Buffer.from('ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'base64').subarray(1);
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_SIG = 'x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=';
const GO_NOTE = `${GO_TEXT}\n\u2014 PeterNeumann ${GO_SIG}\n`;
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const goPrivate = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, GO_SEED]), format: 'der', type: 'pkcs8' });
const goPublic = createPublicKey(goPrivate);

describe('signed note', () => {
  it('computes the key id SHA-256(name || 0x0A || 0x01 || key)[:4] of the Go reference', () => {
    assert.deepEqual(rawPublicKey(goPublic), GO_PUBLIC);
    assert.equal(keyId('PeterNeumann', goPublic).toString('hex'), 'c74f20a3');
  });

  it('writes the verifier key of the Go reference, name+hash+base64(0x01 || key)', () => {
    assert.equal(verifierKey('PeterNeumann', goPublic), 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW');
    assert.equal(verifierKey('PeterNeumann', goPrivate), verifierKey('PeterNeumann', goPublic));
    assert.throws(() => verifierKey('Peter Neumann', goPublic), /must be non-empty, without spaces/);
  });

  it('signs exactly as the Go reference does, and opens its note', () => {
    assert.equal(signNote(GO_TEXT, 'PeterNeumann', goPrivate), GO_NOTE);
    assert.equal(openNote(GO_NOTE, 'PeterNeumann', goPublic), GO_TEXT);
  });

  it('refuses a note with altered text, another key, or another name', () => {
    const altered = GO_NOTE.replace('answer', 'Answer');
    assert.throws(() => openNote(altered, 'PeterNeumann', goPublic), /does not verify/);
    const other = generateKeyPairSync('ed25519').publicKey;
    assert.throws(() => openNote(GO_NOTE, 'PeterNeumann', other), /not signed by key PeterNeumann\+/);
    assert.throws(() => openNote(GO_NOTE, 'EnochRoot', goPublic), /not signed by key EnochRoot\+/);
  });

  it('refuses a bad signature under our key id even when a good one follows', () => {
    const good = GO_NOTE.split('\n').at(-2)!;
    const blob = Buffer.from(good.split(' ')[2]!, 'base64');
    blob[10]! ^= 1;
    const bad = `\u2014 PeterNeumann ${blob.toString('base64')}`;
    assert.throws(() => openNote(`${GO_TEXT}\n${bad}\n${good}\n`, 'PeterNeumann', goPublic), /does not verify/);
  });

  it('ignores signatures by other keys', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const witness = signNote(GO_TEXT, 'witness.example', privateKey).split('\n').at(-2)!;
    assert.equal(openNote(`${GO_NOTE}${witness}\n`, 'PeterNeumann', goPublic), GO_TEXT);
    assert.equal(parseNote(`${GO_NOTE}${witness}\n`).signatures.length, 2);
  });

  it('refuses malformed notes', () => {
    const sigLine = GO_NOTE.split('\n').at(-2)!;
    const sig = sigLine.split(' ')[2]!;
    const malformed: Record<string, string> = {
      'no final newline': GO_NOTE.slice(0, -1),
      'no blank line': `${GO_TEXT}${sigLine}\n`,
      'no signature': `${GO_TEXT}\n`,
      'hyphen instead of em dash': `${GO_TEXT}\n- PeterNeumann ${sig}\n`,
      'extra field': `${GO_TEXT}\n\u2014 PeterNeumann ${sig} x\n`,
      'double space': `${GO_TEXT}\n\u2014 PeterNeumann  ${sig}\n`,
      'name with plus': `${GO_TEXT}\n\u2014 Peter+Neumann ${sig}\n`,
      'non-canonical base64': `${GO_TEXT}\n\u2014 PeterNeumann ${sig.replace(/=$/, '')}\n`,
      'signature too short': `${GO_TEXT}\n\u2014 PeterNeumann AAAA\n`,
      'blank line in text': `a\n\nb\n\n${sigLine}\n`,
      'empty text': `\n${sigLine}\n`,
      'control character in text': `a\tb\n\n${sigLine}\n`,
      'trailing blank line': `${GO_NOTE}\n`,
    };
    for (const [why, note] of Object.entries(malformed)) assert.throws(() => parseNote(note), SyntaxError, why);
  });

  it('refuses to sign text that could not be parsed back', () => {
    assert.throws(() => signNote('no newline', 'n', goPrivate), SyntaxError);
    assert.throws(() => signNote('a\n\nb\n', 'n', goPrivate), SyntaxError);
    assert.throws(() => signNote('a\n', 'has space', goPrivate), SyntaxError);
    assert.throws(() => signNote('a\n', '', goPrivate), SyntaxError);
  });
});
