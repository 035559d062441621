// Opens the store named by the config's `store` URL.
import path from 'node:path';
import { AirlockError } from '../lib/errors.js';
import type { Store } from './ports.js';
import { openSqliteStore } from './sqlite/index.js';

export type { Store } from './ports.js';

export async function openStore(url: string, baseDir: string): Promise<Store> {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    return openSqliteStore(file === ':memory:' ? file : path.resolve(baseDir, file));
  }
  throw new AirlockError('config_invalid', `store: "${url.split(':')[0]}" is not supported yet (use sqlite:PATH)`);
}
