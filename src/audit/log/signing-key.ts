// Audit log, signing key: the Ed25519 key that signs checkpoints, kept as a PKCS#8 PEM file. It
// promises the private key is created owner-only (0600, in a directory created 0700) and is never
// silently replaced: a file that exists but cannot be used is an error, because a fresh key would
// orphan every checkpoint signed before.

import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

function assertEd25519(key: KeyObject, path: string): void {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${path} holds a ${key.asymmetricKeyType ?? 'unknown'} key, expected Ed25519`);
  }
}

function fromPem(pem: string, path: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new Error(`${path} is not a PKCS#8 PEM private key: ${(err as Error).message}`);
  }
  assertEd25519(privateKey, path);
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

const isCode = (err: unknown, code: string): boolean => (err as NodeJS.ErrnoException)?.code === code;

/** Loads the key at `path`, creating a new one (and its directory) when the file is missing. */
export async function loadOrCreateSigningKey(path: string): Promise<SigningKey> {
  try {
    return fromPem(await readFile(path, 'utf8'), path);
  } catch (err) {
    if (!isCode(err, 'ENOENT')) throw err;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  try {
    // 'wx': if another process created the key meanwhile, keep theirs rather than overwrite it.
    await writeFile(path, pem, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if (!isCode(err, 'EEXIST')) throw err;
    return fromPem(await readFile(path, 'utf8'), path);
  }
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/** The SPKI PEM of a key's public half (what `audit verify --public-key` reads). */
export function publicKeyPem(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'pem' }) as string;
}

/** Reads an Ed25519 public key from an SPKI PEM file. */
export async function loadPublicKey(pemPath: string): Promise<KeyObject> {
  const pem = await readFile(pemPath, 'utf8');
  // createPublicKey would also derive a public key from a private PEM; a verifier has no business
  // holding the private key, so such a file is refused.
  if (!pem.includes('-----BEGIN PUBLIC KEY-----')) {
    throw new Error(`${pemPath} is not an SPKI PEM public key (BEGIN PUBLIC KEY)`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new Error(`${pemPath} is not an SPKI PEM public key: ${(err as Error).message}`);
  }
  assertEd25519(key, pemPath);
  return key;
}

