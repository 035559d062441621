// Opens the store named by the config's `store` URL: `sqlite:PATH` for one node (the file sits
// beside the config), `postgres://` or `postgresql://` for several replicas sharing one database.
import path from 'node:path';
import { AirlockError } from '../lib/errors.js';
import type { Store } from './ports.js';
import { openPostgresStore } from './postgres/index.js';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite/index.js';

export type { Store } from './ports.js';

export async function openStore(url: string, baseDir: string, options: SqliteStoreOptions = {}): Promise<Store> {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    return openSqliteStore(file === ':memory:' ? file : path.resolve(baseDir, file), options);
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgresStore(url);
  throw new AirlockError('config_invalid', `store: "${url.split(':')[0]}" is not supported (use sqlite:PATH or postgres://...)`);
}
