// The storage contract: one node:test suite that every backend runs (Pomerium's storagetest), so
// SQLite and PostgreSQL cannot drift; one file per port. Each test opens a fresh, empty store;
// the clock is frozen by passing explicit times. `replica` opens a second Store on the same
// database, as another process would: the concurrency tests then spread their callers over both.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Store } from '../ports.js';
import { approvalsContract } from './approvals.js';
import { auditContract } from './audit.js';
import { bundlesContract } from './bundles.js';
import { changesContract } from './changes.js';
import { grantsContract } from './grants.js';
import type { ContractOptions, StoreTest } from './harness.js';
import { keysContract } from './keys.js';
import { recordedChangesContract } from './recorded-changes.js';
import { usageContract } from './usage.js';
import { alertsContract } from './alerts.js';
import { toolPinsContract } from './tool-pins.js';
import { secretsContract } from './secrets.js';
import { gpusContract } from './gpus.js';

export type { ContractOptions } from './harness.js';

export function storeContract(name: string, open: () => Promise<Store>, options: ContractOptions = {}): void {
  /** Runs `fn` on a fresh store (and a replica of it, or the same store again), then closes both. */
  async function withStore(fn: (store: Store, replica: Store) => Promise<void>): Promise<void> {
    const store = await open();
    const replica = options.replica ? await options.replica(store) : store;
    try {
      await fn(store, replica);
    } finally {
      if (replica !== store) await replica.close();
      await store.close();
    }
  }
  const test: StoreTest = (title, fn) => it(title, () => withStore(fn));

  describe(`store contract: ${name}`, () => {
    test('answers ping while open', async (s) => {
      assert.equal(await s.ping(), true);
    });
    keysContract(test);
    auditContract(test);
    approvalsContract(test);
    grantsContract(test);
    bundlesContract(test);
    usageContract(test);
    alertsContract(test);
    toolPinsContract(test);
    recordedChangesContract(test);
    secretsContract(test);
    gpusContract(test);
    changesContract(test, options);
  });
}
