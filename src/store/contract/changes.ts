// The ChangeFeed contract: subscribers hear what is published, and, on a shared feed, what
// another replica publishes.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Store } from '../ports.js';
import type { ContractOptions, StoreTest } from './harness.js';

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

const nextChange = (store: Store) =>
  new Promise<[string, string]>((resolve) => {
    const off = store.changes.subscribe((topic, payload) => {
      off();
      resolve([topic, payload]);
    });
  });

export function changesContract(test: StoreTest, options: ContractOptions): void {
  describe('changes', () => {
    test('delivers what is published to subscribers until they unsubscribe', async (s) => {
      const heard: string[] = [];
      const off = s.changes.subscribe((topic, payload) => heard.push(`${topic}|${payload}`));
      const first = nextChange(s);
      await s.changes.publish('approvals', 'ap-1:approved');
      assert.deepEqual(await within(first, 5000, 'a change'), ['approvals', 'ap-1:approved']);
      off();
      const second = nextChange(s);
      await s.changes.publish('keys', 'k2');
      await within(second, 5000, 'a change');
      assert.deepEqual(heard, ['approvals|ap-1:approved']);
    });

    if (options.sharedFeed && options.replica) {
      test('delivers what one replica publishes to the other', async (s, r) => {
        const heard = nextChange(r);
        await s.changes.publish('grants', 'g-7');
        assert.deepEqual(await within(heard, 5000, 'a change from the other replica'), ['grants', 'g-7']);
      });
    }
  });
}
