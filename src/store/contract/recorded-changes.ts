// The contract of RecordsOf (ports.ts): every state change of the approval, grant and key ports
// commits together with its audit records or not at all. A recorder whose entry cannot be
// appended (here: a BigInt, which no JSON line can hold) must leave the change undone and the log
// as it was; a good one sees what changed and lands in the log. Guards issue 19, finding 12.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { AuditEntry, Store } from '../ports.js';
import { approval, vote } from './approvals.js';
import { grant } from './grants.js';
import { HOUR, T, type StoreTest } from './harness.js';
import { key } from './keys.js';

type Recorder = (changed: unknown) => readonly AuditEntry[];

interface Case {
  readonly name: string;
  /** What exists before the change. */
  readonly setup?: (s: Store) => Promise<unknown>;
  /** Makes the change, passing `records` as the port method's records. */
  readonly change: (s: Store, records: Recorder) => Promise<unknown>;
  /** The state the change moves: equal before and after a change whose records failed. */
  readonly state: (s: Store) => Promise<unknown>;
  /** What the recorder must have been given. */
  readonly changed: (seen: unknown) => void;
}

const status = (x: unknown) => (x as { status?: string } | undefined)?.status;
const statuses = (x: unknown) => (x as { status: string }[]).map((g) => g.status);

const CASES: readonly Case[] = [
  {
    name: 'insertApproval',
    change: (s, r) => s.approvals.insertApproval(approval('a'), r(approval('a'))),
    state: (s) => s.approvals.getApproval('a'),
    changed: (seen) => assert.equal(status(seen), 'pending'),
  },
  {
    name: 'castVote',
    setup: (s) => s.approvals.insertApproval(approval('a')),
    change: (s, r) => s.approvals.castVote('a', vote('lee'), T, HOUR, r),
    state: (s) => s.approvals.getApproval('a'),
    changed: (seen) => assert.deepEqual([(seen as { outcome: string }).outcome, status((seen as { approval: unknown }).approval)], ['recorded', 'approved']),
  },
  {
    name: 'useApproval',
    setup: async (s) => {
      await s.approvals.insertApproval(approval('a'));
      await s.approvals.castVote('a', vote('lee'), T, HOUR);
    },
    change: (s, r) => s.approvals.useApproval('a', 'fp-a', T + 1, r),
    state: (s) => s.approvals.getApproval('a'),
    changed: (seen) => assert.equal(status(seen), 'used'),
  },
  {
    name: 'expireApprovals',
    setup: (s) => s.approvals.insertApproval(approval('a')),
    change: (s, r) => s.approvals.expireApprovals(T + HOUR, r),
    state: (s) => s.approvals.getApproval('a'),
    changed: (seen) => assert.deepEqual(statuses(seen), ['expired']),
  },
  {
    name: 'insertGrant',
    change: (s, r) => s.grants.insertGrant(grant('g'), r(grant('g'))),
    state: async (s) => [await s.grants.getGrant('g'), await s.grants.grantsVersion()],
    changed: (seen) => assert.equal(status(seen), 'pending'),
  },
  {
    name: 'activateGrant',
    setup: (s) => s.grants.insertGrant(grant('g')),
    change: (s, r) => s.grants.activateGrant('ap-g', T, r),
    state: async (s) => [await s.grants.getGrant('g'), await s.grants.grantsVersion()],
    changed: (seen) => assert.equal(status(seen), 'active'),
  },
  {
    name: 'activateApprovedGrants',
    setup: async (s) => {
      await s.approvals.insertApproval(approval('ap-g'));
      await s.approvals.castVote('ap-g', vote('lee'), T, HOUR);
      await s.grants.insertGrant(grant('g'));
    },
    change: (s, r) => s.grants.activateApprovedGrants(T, r),
    state: async (s) => [await s.grants.getGrant('g'), await s.grants.grantsVersion()],
    changed: (seen) => assert.deepEqual(statuses(seen), ['active']),
  },
  {
    name: 'denyGrant',
    setup: (s) => s.grants.insertGrant(grant('g')),
    change: (s, r) => s.grants.denyGrant('ap-g', T, r),
    state: async (s) => [await s.grants.getGrant('g'), await s.grants.grantsVersion()],
    changed: (seen) => assert.equal(status(seen), 'denied'),
  },
  {
    name: 'revokeGrant',
    setup: (s) => s.grants.insertGrant(grant('g')),
    change: (s, r) => s.grants.revokeGrant('g', T, r),
    state: async (s) => [await s.grants.getGrant('g'), await s.grants.grantsVersion()],
    changed: (seen) => assert.equal(status(seen), 'revoked'),
  },
  {
    name: 'expireGrants',
    setup: async (s) => {
      await s.grants.insertGrant(grant('g', { duration_seconds: 60 }));
      await s.grants.activateGrant('ap-g', T);
    },
    change: (s, r) => s.grants.expireGrants(T + HOUR, r),
    state: async (s) => [await s.grants.getGrant('g'), await s.grants.grantsVersion()],
    changed: (seen) => assert.deepEqual(statuses(seen), ['expired']),
  },
  {
    name: 'insertKey',
    change: (s, r) => s.keys.insertKey(key('k', 'bot'), r(key('k', 'bot'))),
    state: async (s) => [await s.keys.listKeys(), await s.keys.keysVersion()],
    changed: (seen) => assert.equal((seen as { id: string }).id, 'k'),
  },
  {
    name: 'revokeAgentKeys',
    setup: (s) => s.keys.insertKey(key('k', 'bot')),
    change: (s, r) => s.keys.revokeAgentKeys('bot', T, r),
    state: async (s) => [await s.keys.listKeys(), await s.keys.keysVersion()],
    changed: (seen) => assert.equal(seen, 1),
  },
];

const unappendable: Recorder = () => [{ kind: 'unappendable', n: 1n }];

export function recordedChangesContract(test: StoreTest): void {
  describe('state changes and their audit records', () => {
    for (const c of CASES) {
      test(`${c.name}: commits with its records, and not at all when they cannot be appended`, async (s) => {
        await c.setup?.(s);
        const before = await c.state(s);
        const size = (await s.audit.auditHead()).size;
        await assert.rejects(c.change(s, unappendable));
        assert.deepEqual(await c.state(s), before, 'the change was undone with its records');
        assert.equal((await s.audit.auditHead()).size, size, 'and nothing reached the log');

        let seen: unknown;
        await c.change(s, (changed) => {
          seen = changed;
          return [{ kind: 'changed', by: c.name }];
        });
        c.changed(seen);
        assert.notDeepEqual(await c.state(s), before);
        const [record] = await s.audit.readAudit(size - 1, 10);
        assert.deepEqual(JSON.parse(record!.line), { v: 1, seq: size, kind: 'changed', by: c.name });
      });
    }

    test('a change that changes nothing appends nothing', async (s) => {
      const never: Recorder = () => assert.fail('no record for no change');
      assert.equal(await s.grants.revokeGrant('nope', T, never), undefined);
      assert.equal(await s.grants.activateGrant('nope', T, never), undefined);
      assert.deepEqual(await s.grants.expireGrants(T, never), []);
      assert.deepEqual(await s.approvals.expireApprovals(T, never), []);
      assert.equal(await s.approvals.useApproval('nope', 'fp', T, never), undefined);
      assert.equal(await s.keys.revokeAgentKeys('nobody', T, never), 0);
      assert.equal((await s.audit.auditHead()).size, 0);
    });
  });
}
