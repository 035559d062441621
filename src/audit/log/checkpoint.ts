// Audit log, checkpoints: the C2SP tlog-checkpoint body (origin, size, base64 root) in a signed
// note whose key name is the origin. A checkpoint is the log's signed promise about one tree
// size; everything a verifier later trusts about the log rests on parsing it strictly.

import type { KeyObject } from 'node:crypto';
import { HASH_SIZE } from './hash.js';
import { assertKeyName, keyId, openNote, parseNote, signNote, type NoteSignature } from './signed-note.js';

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
}

export interface ParsedCheckpoint extends Checkpoint {
  /** Lines after the root; none are written by Airlock, and they are covered by the signature. */
  readonly extensions: readonly string[];
  readonly signatures: readonly NoteSignature[];
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** The checkpoint body: `<origin>\n<size>\n<base64 root>\n`. */
export function checkpointBody({ origin, size, root }: Checkpoint): string {
  assertKeyName(origin);
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`checkpoint size ${size} is invalid`);
  if (!Buffer.isBuffer(root) || root.length !== HASH_SIZE) {
    throw new TypeError('checkpoint root must be 32 bytes');
  }
  return `${origin}\n${size}\n${root.toString('base64')}\n`;
}

/** A signed note for (origin, size, root), signed under the key name `origin`. */
export function signCheckpoint(checkpoint: Checkpoint, privateKey: KeyObject): string {
  return signNote(checkpointBody(checkpoint), checkpoint.origin, privateKey);
}

function parseBody(text: string): Omit<ParsedCheckpoint, 'signatures'> {
  const [origin = '', sizeText = '', rootText = '', ...extensions] = text.slice(0, -1).split('\n');
  if (origin === '') throw new SyntaxError('checkpoint has no origin line');
  if (!DECIMAL.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw new SyntaxError(`checkpoint size ${JSON.stringify(sizeText)} is not a decimal tree size`);
  }
  const root = Buffer.from(rootText, 'base64');
  if (root.length !== HASH_SIZE || root.toString('base64') !== rootText) {
    throw new SyntaxError(`checkpoint root ${JSON.stringify(rootText)} is not a base64 32-byte hash`);
  }
  return { origin, size: Number(sizeText), root, extensions };
}

/** Parses a signed checkpoint without checking signatures; throws on malformed text. */
export function parseCheckpoint(text: string): ParsedCheckpoint {
  const note = parseNote(text);
  return { ...parseBody(note.text), signatures: note.signatures };
}

/**
 * The checkpoint, when it carries a valid signature by `publicKey` under its own origin as key
 * name; throws otherwise. Signing under the origin binds the key to one log: a checkpoint moved
 * from another log that shares the key has a different key id and is refused.
 */
/**
 * Checks the checkpoint's signature by one of `keys`: the current signing key and, after a key
 * rotation, the retired ones (each signature line names its key, so the right one is picked).
 */
export function verifyCheckpoint(text: string, keys: KeyObject | readonly KeyObject[]): Checkpoint {
  const { origin, size, root } = parseCheckpoint(text);
  const candidates = Array.isArray(keys) ? (keys as readonly KeyObject[]) : [keys as KeyObject];
  const { signatures } = parseNote(text);
  const key = candidates.find((k) => signatures.some((sig) => sig.name === origin && sig.keyId.equals(keyId(origin, k)))) ?? candidates[0]!;
  openNote(text, origin, key);
  return { origin, size, root };
}
