// The storage contract on SQLite: each test gets a fresh database file in a temp directory, and
// its "replica" is a second connection to the same file, as a CLI process beside the gateway is.
import path from 'node:path';
import { tempDir } from '../../lib/test-temp-dir.js';
import { storeContract } from '../contract/index.js';
import type { Store } from '../ports.js';
import { openSqliteStore } from './index.js';

const dir = tempDir('sqlite-contract');

const files = new WeakMap<Store, string>();
let n = 0;

storeContract(
  'sqlite',
  async () => {
    const file = path.join(dir, `store-${n++}.db`);
    const store = openSqliteStore(file);
    files.set(store, file);
    return store;
  },
  // The local change feed reaches this process only: other processes notice at their next poll.
  { replica: async (store) => openSqliteStore(files.get(store)!), sharedFeed: false },
);
