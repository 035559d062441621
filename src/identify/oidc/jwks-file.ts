// Identify stage, OIDC: signing keys from a local JWKS file, read once when the identifier starts.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { AirlockError } from '../../lib/errors.js';

/**
 * Reads and parses the file now, so a missing or broken key file stops the gateway at start with
 * a clear message instead of refusing every request later. `where` names the config key path.
 */
export async function loadJwksFile(file: string, baseDir: string, where: string): Promise<JWTVerifyGetKey> {
  const path = resolve(baseDir, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'cannot be read';
    throw new AirlockError('config_invalid', `${where}: ${reason} (${path})`);
  }
  try {
    return createLocalJWKSet(JSON.parse(text) as JSONWebKeySet);
  } catch {
    throw new AirlockError('config_invalid', `${where}: not a JSON Web Key Set (${path})`);
  }
}
