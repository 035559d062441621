// Identify stage, API keys: what a key looks like, how one is made, and the hash that is stored.
//
// A key is `alk_` + 32 random bytes in base64url: 256 bits, so a plain (unsalted) SHA-256 is
// enough; there is nothing to brute-force. The prefix lets scanners spot leaked keys and lets
// the identifier tell a key from a JWT without parsing.

import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'alk_';

const API_KEY_SHAPE = /^alk_[A-Za-z0-9_-]{43}$/;

export interface GeneratedApiKey {
  /** Shown once to the user; never stored. */
  readonly key: string;
  /** Hex SHA-256 of the key: what the store keeps. */
  readonly hash: string;
}

export function generateApiKey(): GeneratedApiKey {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** True when the string has the exact shape of a key this module generates. */
export function isWellFormedApiKey(key: string): boolean {
  return API_KEY_SHAPE.test(key);
}
