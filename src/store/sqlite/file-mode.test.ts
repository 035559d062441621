import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../../lib/test-temp-dir.js';
import { openSqliteStore } from './index.js';

describe('sqlite store file', () => {
  it('creates the database, its WAL and its directory private to the owner', async () => {
    const dir = path.join(tempDir('sqlite-mode'), 'data');
    const file = path.join(dir, 'airlock.db');
    const store = openSqliteStore(file);
    await store.keys.keysVersion();
    await store.bundles.activeBundle();
    for (const f of [file, `${file}-wal`]) assert.equal(statSync(f).mode & 0o777, 0o600, f);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    await store.close();
  });
});
