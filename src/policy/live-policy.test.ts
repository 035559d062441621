// A reload that cannot be put into service is not lost: it is recorded, reported, and tried again
// until the new bundle serves.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeBundle } from '../decide/test-support.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { LivePolicy, type ReloadResult } from './live-policy.js';
import { waitFor } from '../lib/test-wait.js';

describe('live policy', () => {
  it('retries a valid bundle whose store write failed, and records the failure', async () => {
    const dir = await writeBundle({ 'p.cedar': 'permit (principal, action, resource);' });
    const store = openSqliteStore(':memory:');
    let failWrites = 1;
    const bundles = {
      ...store.bundles,
      activateBundle: (...args: Parameters<typeof store.bundles.activateBundle>) => {
        if (failWrites-- > 0) return Promise.reject(new Error('database is locked'));
        return store.bundles.activateBundle(...args);
      },
    };
    failWrites = 0;
    const records: Record<string, unknown>[] = [];
    const results: ReloadResult[] = [];
    const live = await LivePolicy.start({
      dir,
      record: async (e) => void records.push(e),
      onResult: (r) => results.push(r),
      shared: { bundles, changes: store.changes },
      pollMs: 50,
    });
    const first = live.engine().version;
    live.watch();
    failWrites = 1;
    await writeFile(path.join(dir, 'p.cedar'), 'forbid (principal, action, resource);');
    await waitFor(() => live.engine().version !== first, 10_000);
    live.close();
    await store.close();
    assert.ok(results.some((r) => r.outcome === 'failed'), 'the failure was reported');
    assert.ok(records.some((r) => r.kind === 'policy_load_failed' && r.error === 'database is locked'), 'and audited');
    assert.equal(results.at(-1)?.outcome, 'loaded', 'and the bundle served once the store took it');
  });
});
