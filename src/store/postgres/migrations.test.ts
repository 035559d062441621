// Replicas starting at once against an empty database: the advisory lock lets exactly one of
// them build the schema, and the others find it built. Runs when AIRLOCK_TEST_PG_URL is set.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { openPostgresStore } from './index.js';
import { createScratchDatabase } from './scratch-database.js';

const url = process.env.AIRLOCK_TEST_PG_URL;

describe('postgres migrations', () => {
  it('apply each version once when several replicas start together', { skip: url ? false : 'AIRLOCK_TEST_PG_URL not set' }, async () => {
    const scratch = await createScratchDatabase(url!);
    try {
      const stores = await Promise.all(Array.from({ length: 6 }, () => openPostgresStore(scratch.url, { poolSize: 2 })));
      await Promise.all(stores.map((s) => s.close()));
      const again = await openPostgresStore(scratch.url);
      assert.equal((await again.audit.auditHead()).size, 0);
      await again.close();
      const client = new pg.Client(scratch.url);
      await client.connect();
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      await client.end();
      const versions = rows.map((r) => r.version);
      assert.ok(versions.length >= 3);
      assert.deepEqual(versions, versions.map((_, i) => i + 1), 'each version once, none skipped');
    } finally {
      await scratch.drop();
    }
  });
});
