// What every port's contract suite shares: the options a backend passes, the shape of one test
// (a fresh store and a replica of it), and a frozen clock passed as explicit times.
import type { Store } from '../ports.js';

export interface ContractOptions {
  /** A second Store on the same database as `store`, like another replica. */
  readonly replica?: (store: Store) => Promise<Store>;
  /** True when a publish on one Store reaches subscribers on another (a shared feed). */
  readonly sharedFeed?: boolean;
}

/** Declares one test that runs `fn` on a fresh store and a replica of it (or the same store again). */
export type StoreTest = (title: string, fn: (store: Store, replica: Store) => Promise<void>) => void;

export const T = Date.parse('2030-01-01T00:00:00.000Z');
export const HOUR = 3_600_000;
export const iso = (ms: number) => new Date(ms).toISOString();
