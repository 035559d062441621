// The storage contract on PostgreSQL, run when AIRLOCK_TEST_PG_URL names a server (any database
// on it; the role must be allowed to CREATE DATABASE). Each test gets its own throwaway database
// `airlock_t_<random>`, created next to the one in the URL and dropped when the test closes its
// store, so runs never see each other's rows. The "replica" is a second Store (its own pool and
// LISTEN connection) on the same database, as another Airlock process would be.
import { describe, it } from 'node:test';
import { storeContract } from '../contract/index.js';
import type { Store } from '../ports.js';
import { openPostgresStore } from './index.js';
import { createScratchDatabase } from './scratch-database.js';

const url = process.env.AIRLOCK_TEST_PG_URL;

if (!url) {
  describe('store contract: postgres', () => {
    it('runs against PostgreSQL', { skip: 'AIRLOCK_TEST_PG_URL not set (e.g. postgres://postgres@127.0.0.1:5432/postgres)' }, () => {});
  });
} else {
  const urls = new WeakMap<Store, string>();
  storeContract(
    'postgres',
    async () => {
      const scratch = await createScratchDatabase(url);
      const store = await openPostgresStore(scratch.url, { poolSize: 8 });
      const wrapped: Store = {
        ...store,
        async close() {
          await store.close();
          await scratch.drop();
        },
      };
      urls.set(wrapped, scratch.url);
      return wrapped;
    },
    {
      replica: async (store) => openPostgresStore(urls.get(store) ?? '', { poolSize: 8 }),
      sharedFeed: true,
    },
  );
}
