// Keeps S3 secrets encrypted at rest. SigV4 is a shared-secret scheme: the gateway must recompute
// each signature, so it cannot keep only a hash as it does for bearer keys. Each secret is sealed
// with AES-256-GCM under a key-encryption key held in a file (created 0600 on first use, outside
// the store): a copy of the store alone reveals no secret. The access key id is the additional
// authenticated data, so a sealed secret moved to another key's row does not open. This is the one
// place that knows the cipher; the secrets store (section 13) may take its place behind the same
// interface.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AirlockError } from '../../lib/errors.js';

export interface SecretSealer {
  /** `plain` encrypted and bound to `context` (the access key id). */
  seal(plain: string, context: string): string;
  /** Throws when the sealed text was not made by this key for this context. */
  open(sealed: string, context: string): string;
}

const VERSION = 'v1';

export function aesGcmSealer(kek: Buffer): SecretSealer {
  if (kek.length !== 32) throw new Error('the key-encryption key must be 32 bytes');
  return {
    seal(plain, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', kek, iv).setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv, body, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    open(sealed, context) {
      const [version, iv, body, tag, extra] = sealed.split('.');
      if (version !== VERSION || !iv || body === undefined || !tag || extra !== undefined) throw new Error('not a sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(iv, 'base64url'))
        .setAAD(Buffer.from(context, 'utf8'))
        .setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

/** The sealer of the key in `file` (base64 of 32 bytes), created with mode 0600 when missing. */
export async function loadOrCreateSealer(file: string): Promise<SecretSealer> {
  const kek = await readKek(file);
  if (kek) return aesGcmSealer(kek);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process (a worker, the CLI) created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return aesGcmSealer((await readKek(file))!);
}

async function readKek(file: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const kek = Buffer.from(text.trim(), 'base64');
  if (kek.length !== 32) throw new AirlockError('config_invalid', `${file}: must hold a 32-byte key in base64`);
  return kek;
}
