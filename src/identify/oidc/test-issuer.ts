// Test support (not a test): an in-memory OIDC issuer that signs tokens with jose-made keys.

import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export type TestAlg = 'RS256' | 'ES256' | 'EdDSA';

export interface TestKey {
  readonly alg: TestAlg;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export async function makeKey(alg: TestAlg, kid = `${alg}-key`): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export const jwksOf = (...keys: TestKey[]) => ({ keys: keys.map((k) => k.publicJwk) });

export const ISSUER = 'https://login.test';
export const AUDIENCE = 'airlock';

export interface SignOptions {
  /** Unix seconds; default: now - 10. */
  readonly iat?: number;
  readonly ttlS?: number;
  readonly claims?: JWTPayload;
  readonly omit?: readonly ('sub' | 'exp')[];
  /** The `typ` header; default "JWT", null for none. */
  readonly typ?: string | null;
}

/** Signs a token with sane defaults (iss, aud, sub "alice", 1 h lifetime) that a test overrides. */
export async function sign(key: TestKey, nowMs: number, opts: SignOptions = {}): Promise<string> {
  const iat = opts.iat ?? Math.floor(nowMs / 1000) - 10;
  const payload: JWTPayload = { iss: ISSUER, aud: AUDIENCE, sub: 'alice', iat, exp: iat + (opts.ttlS ?? 3600), ...opts.claims };
  for (const claim of opts.omit ?? []) delete payload[claim];
  const typ = opts.typ === undefined ? 'JWT' : opts.typ;
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, ...(typ === null ? {} : { typ }) }).sign(key.privateKey);
}

/** A controllable clock in unix ms. */
export function testClock(startMs = Date.UTC(2030, 0, 1)) {
  let t = startMs;
  return { now: () => t, advance: (ms: number) => void (t += ms), set: (ms: number) => void (t = ms) };
}
