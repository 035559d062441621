// Envelope encryption: every value is sealed with AES-256-GCM under a data key of its own, and the
// data key is wrapped (AES-256-GCM again) under a key-encryption key (KEK) from the keyring. The
// caller's context (a secret's name and version, an S3 key's id) is the GCM additional data of
// both, so a ciphertext or wrapped key moved to another row, name or version fails to open, the
// same as one edited byte. Plain data keys exist only inside seal/open and are zeroed there.
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { AirlockError } from '../lib/errors.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;

/** A sealed value as stored: which KEK wrapped its data key, the wrapped key, the ciphertext. */
export interface Sealed {
  readonly kekId: string;
  /** iv || AES-256-GCM(KEK, data key) || tag */
  readonly wrappedKey: Buffer;
  /** iv || AES-256-GCM(data key, value) || tag */
  readonly ciphertext: Buffer;
}

/** Where KEKs come from (the keyring): `undefined` for an id it does not hold. */
export interface KekSource {
  kek(id: string): KeyObject | undefined;
}

/** Thrown when a sealed value does not open: edited, moved to another context, or another KEK's. */
export class SealBroken extends AirlockError {
  constructor(readonly context: string) {
    super('secret_tampered', `${context}: failed its integrity check (edited, or moved from another secret)`);
  }
}

function additionalData(part: 'key' | 'value', context: string): Buffer {
  return Buffer.from(`airlock-envelope-v1\0${part}\0${context}`, 'utf8');
}

function gcmSeal(key: KeyObject | Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** Opens `iv || ciphertext || tag`; undefined when the tag does not verify. */
function gcmOpen(key: KeyObject | Buffer, sealed: Buffer, aad: Buffer): Buffer | undefined {
  if (sealed.length < IV_BYTES + TAG_BYTES) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const out = decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([out, decipher.final()]);
  } catch {
    return undefined;
  } finally {
    out.fill(0);
  }
}

/**
 * Seals and opens values under the keyring's KEKs. New values are sealed under `sealWith`; any KEK
 * the keyring holds opens. This is the API for anything kept encrypted at rest (the secret store,
 * an S3 surface's issued secret keys): pick a context that names the value uniquely.
 */
export class SecretBox {
  constructor(
    private readonly keks: KekSource,
    readonly sealWith: string,
  ) {}

  seal(value: Buffer, context: string): Sealed {
    const kek = this.kekOf(this.sealWith);
    const dataKey = randomBytes(DATA_KEY_BYTES);
    try {
      return {
        kekId: this.sealWith,
        wrappedKey: gcmSeal(kek, dataKey, additionalData('key', context)),
        ciphertext: gcmSeal(dataKey, value, additionalData('value', context)),
      };
    } finally {
      dataKey.fill(0);
    }
  }

  /** The value; the caller zeroes it once used. Throws SealBroken when it does not open. */
  open(sealed: Sealed, context: string): Buffer {
    const dataKey = this.unwrap(sealed, context);
    try {
      const value = gcmOpen(dataKey, sealed.ciphertext, additionalData('value', context));
      if (!value) throw new SealBroken(context);
      return value;
    } finally {
      dataKey.fill(0);
    }
  }

  /** The same value under `sealWith`'s KEK: only the data key is re-wrapped; the ciphertext stays. */
  rewrap(sealed: Sealed, context: string): Sealed {
    const dataKey = this.unwrap(sealed, context);
    try {
      return { kekId: this.sealWith, wrappedKey: gcmSeal(this.kekOf(this.sealWith), dataKey, additionalData('key', context)), ciphertext: sealed.ciphertext };
    } finally {
      dataKey.fill(0);
    }
  }

  private unwrap(sealed: Sealed, context: string): Buffer {
    const dataKey = gcmOpen(this.kekOf(sealed.kekId), sealed.wrappedKey, additionalData('key', context));
    if (!dataKey || dataKey.length !== DATA_KEY_BYTES) throw new SealBroken(context);
    return dataKey;
  }

  private kekOf(id: string): KeyObject {
    const kek = this.keks.kek(id);
    if (!kek) throw new AirlockError('config_invalid', `secrets.kek_file: holds no key-encryption key ${id}`, { kek_id: id });
    return kek;
  }
}

/** One line for a text column: `v1.<kek id>.<wrapped key>.<ciphertext>` (base64url). */
export function encodeSealed(s: Sealed): string {
  return `v1.${s.kekId}.${s.wrappedKey.toString('base64url')}.${s.ciphertext.toString('base64url')}`;
}

export function decodeSealed(text: string): Sealed {
  const m = /^v1\.([0-9a-f]{16})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(text);
  if (!m) throw new AirlockError('secret_tampered', 'a sealed value is not in the v1 format');
  return { kekId: m[1]!, wrappedKey: Buffer.from(m[2]!, 'base64url'), ciphertext: Buffer.from(m[3]!, 'base64url') };
}
