// DEVELOPMENT ONLY: a local OIDC issuer for trying Airlock without an identity provider.
//
// An Ed25519 key in a local directory signs tokens for the issuer DEV_ISSUER; the public half is
// written as `<dir>/jwks.json`, which a config's `jwks_file` can point to. Anyone who can read
// the directory can mint any identity, so never trust this issuer in production.

import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';

export const DEV_ISSUER = 'https://dev.airlock.local';
export const DEV_AUDIENCE = 'airlock';
export const DEFAULT_DEV_DIR = './.airlock-dev';
const PRIVATE_KEY_FILE = 'dev-signing-key.pem';

export interface DevKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly kid: string;
  readonly jwksPath: string;
}

export function devJwksPath(dir: string = DEFAULT_DEV_DIR): string {
  return join(dir, 'jwks.json');
}

/** Loads the dev key from `dir`, creating it on first use, and (re)writes `<dir>/jwks.json`. */
export async function ensureDevKey(dir: string = DEFAULT_DEV_DIR): Promise<DevKey> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keyPath = join(dir, PRIVATE_KEY_FILE);
  const pem = (await readIfExists(keyPath)) ?? (await createKeyFile(keyPath));
  const privateKey = await importPKCS8(pem, 'EdDSA', { extractable: true });
  // exportJWK of a private key includes `d`; keep only the public members.
  const { kty, crv, x } = await exportJWK(privateKey);
  const base: JWK = { kty, crv, x };
  const kid = await calculateJwkThumbprint(base);
  const publicJwk: JWK = { ...base, kid, alg: 'EdDSA', use: 'sig' };
  const jwksPath = devJwksPath(dir);
  // Write then rename, so a gateway reading the file never sees half of it.
  const tmp = `${jwksPath}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify({ keys: [publicJwk] }, null, 2) + '\n');
  await rename(tmp, jwksPath);
  return { privateKey, publicJwk, kid, jwksPath };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function createKeyFile(path: string): Promise<string> {
  const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  const pem = await exportPKCS8(privateKey);
  try {
    // 'wx': never overwrite; if another process created it first, use theirs.
    await writeFile(path, pem, { mode: 0o600, flag: 'wx' });
    return pem;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readFile(path, 'utf8');
  }
}

/** The public JWKS of the dev issuer (creating the key if needed). */
export async function devJwks(dir: string = DEFAULT_DEV_DIR): Promise<{ keys: JWK[] }> {
  return { keys: [(await ensureDevKey(dir)).publicJwk] };
}

export interface DevTokenOptions {
  readonly sub: string;
  readonly groups?: readonly string[];
  /** Adds `amr: ["mfa"]` and `auth_time` = now. */
  readonly mfa?: boolean;
  readonly ttlSeconds?: number;
  /** RFC 8693 `act`: the agent acting for `sub`. */
  readonly act?: string;
  readonly dir?: string;
  /** Clock in unix ms. */
  readonly now?: () => number;
}

export async function signDevToken(opts: DevTokenOptions): Promise<string> {
  const key = await ensureDevKey(opts.dir ?? DEFAULT_DEV_DIR);
  const nowS = Math.floor((opts.now ?? Date.now)() / 1000);
  const claims: Record<string, unknown> = { groups: [...(opts.groups ?? [])] };
  if (opts.mfa) Object.assign(claims, { amr: ['mfa'], auth_time: nowS });
  if (opts.act) claims['act'] = { sub: opts.act };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' })
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setSubject(opts.sub)
    .setIssuedAt(nowS)
    .setExpirationTime(nowS + (opts.ttlSeconds ?? 3600))
    .setJti(randomUUID())
    .sign(key.privateKey);
}
