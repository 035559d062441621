// Audit log, signed notes: the C2SP signed-note envelope (text, blank line, "— name sig" lines)
// with Ed25519 keys. Parsing is strict and verification fails closed: a note is trusted only when
// a signature line with the key's name and key id verifies, and any such line that does not
// verify rejects the whole note, since a bad signature under our key can only mean tampering.

import { createHash, sign, verify, type KeyObject } from 'node:crypto';

export interface NoteSignature {
  readonly name: string;
  /** 4-byte key id: which of the signer's keys made the signature. */
  readonly keyId: Buffer;
  readonly signature: Buffer;
}

export interface Note {
  /** The signed text, ending in a newline. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

const SIG_PREFIX = '\u2014 '; // EM DASH + space
const ED25519_TYPE = 0x01;
const MAX_SIGNATURES = 100; // Go's sumdb/note limit: bounds the work a hostile note can cause
const MAX_NOTE_BYTES = 1 << 20;

/** A key name is non-empty and holds no whitespace and no '+' (the vkey separator). */
export function assertKeyName(name: string): void {
  if (name === '' || /[\s+]/u.test(name)) {
    throw new SyntaxError(`key name ${JSON.stringify(name)} must be non-empty, without spaces or '+'`);
  }
}

/** The raw 32-byte Ed25519 public key of a public or private key. */
export function rawPublicKey(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError('key must be an Ed25519 key');
  const { x } = key.export({ format: 'jwk' });
  return Buffer.from(x as string, 'base64url');
}

/** Key id = first 4 bytes of SHA-256(name || 0x0A || 0x01 || raw public key). */
export function keyId(name: string, key: KeyObject): Buffer {
  const h = createHash('sha256').update(name, 'utf8').update(Buffer.from([0x0a, ED25519_TYPE]));
  return h.update(rawPublicKey(key)).digest().subarray(0, 4);
}

/**
 * The verifier key of `name` and `key` in the C2SP/sumdb form `<name>+<hex key id>+<base64(0x01 ||
 * key)>`, as Go's golang.org/x/mod/sumdb/note and transparency-log witnesses take it.
 */
export function verifierKey(name: string, key: KeyObject): string {
  assertKeyName(name);
  const data = Buffer.concat([Buffer.from([ED25519_TYPE]), rawPublicKey(key)]).toString('base64');
  return `${name}+${keyId(name, key).toString('hex')}+${data}`;
}

/** Signs `text` (non-empty, newline-terminated, no blank line) as `name`. */
export function signNote(text: string, name: string, privateKey: KeyObject): string {
  assertKeyName(name);
  assertNoteText(text);
  const sig = sign(null, Buffer.from(text, 'utf8'), privateKey);
  const blob = Buffer.concat([keyId(name, privateKey), sig]).toString('base64');
  return `${text}\n${SIG_PREFIX}${name} ${blob}\n`;
}

function assertNoteText(text: string): void {
  if (text === '' || !text.endsWith('\n') || text.includes('\n\n')) {
    throw new SyntaxError('note text must be non-empty lines, each ending in a newline');
  }
  if (/[\u0000-\u0009\u000b-\u001f]/u.test(text)) {
    throw new SyntaxError('note text must not contain control characters');
  }
}

function parseSignatureLine(line: string, n: number): NoteSignature {
  if (!line.startsWith(SIG_PREFIX)) throw new SyntaxError(`note signature line ${n} must start with "— "`);
  const fields = line.slice(SIG_PREFIX.length).split(' ');
  const [name = '', blob = ''] = fields;
  if (fields.length !== 2) throw new SyntaxError(`note signature line ${n} must be "— <name> <base64>"`);
  assertKeyName(name);
  const bytes = Buffer.from(blob, 'base64');
  // Canonical base64 only: one signature has one spelling, so a note cannot be altered silently.
  if (bytes.length < 5 || bytes.toString('base64') !== blob) {
    throw new SyntaxError(`note signature line ${n} has a malformed signature`);
  }
  return { name, keyId: bytes.subarray(0, 4), signature: bytes.subarray(4) };
}

/** Splits a signed note into its text and signature lines; throws on any malformation. */
export function parseNote(note: string): Note {
  if (Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES) throw new SyntaxError('note is too large');
  if (!note.endsWith('\n')) throw new SyntaxError('note must end with a newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new SyntaxError('note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  assertNoteText(text);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new SyntaxError('note has too many signatures');
  return { text, signatures: lines.map((line, i) => parseSignatureLine(line, i + 1)) };
}

/** Returns the note's text when it carries a valid signature by (`name`, `publicKey`). */
export function openNote(note: string, name: string, publicKey: KeyObject): string {
  const { text, signatures } = parseNote(note);
  const id = keyId(name, publicKey);
  const ours = signatures.filter((s) => s.name === name && s.keyId.equals(id));
  if (ours.length === 0) {
    throw new Error(`note is not signed by key ${name}+${id.toString('hex')}`);
  }
  const message = Buffer.from(text, 'utf8');
  for (const s of ours) {
    if (s.signature.length !== 64 || !verify(null, message, publicKey, s.signature)) {
      throw new Error(`note signature by key ${name}+${id.toString('hex')} does not verify`);
    }
  }
  return text;
}
