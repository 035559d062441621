// The ApprovalStore contract: exact round-trips, pending lookup, votes and quorum (once, under
// concurrency), single use, and expiry.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Approval, Vote, VoteChoice } from '../../approvals/types.js';
import { HOUR, T, iso, type StoreTest } from './harness.js';

export const approval = (id: string, over: Partial<Approval> = {}): Approval => ({
  requirements: [{ groups: over.groups ?? ['ml-leads'], quorum: over.quorum ?? 1 }],
  id, kind: 'request', status: 'pending', principal: { type: 'User', id: 'alice', groups: ['ml-eng'] },
  action: 'model.invoke', resource: 'Model::"llm/gpt-4o"', resource_name: 'llm', context: { tokens: 12, stream: true },
  request: { method: 'POST', path: '/v1/chat/completions', query_sha256: 'cd'.repeat(32), body_sha256: 'ab'.repeat(32) }, fingerprint: `fp-${id}`,
  groups: ['ml-leads'], quorum: 1, votes: [], reason: 'needs a look', request_id: `req-${id}`, policy_version: 'v7',
  policies: ['p1', 'p2'], created_at: iso(T), expires_at: iso(T + HOUR), decided_at: null, used_at: null, ...over,
});

export const vote = (approver: string, choice: VoteChoice = 'approve', at = T): Vote => ({
  approver: { type: 'User', id: approver }, vote: choice, reason: `${approver} says ${choice}`, time: iso(at),
});

export function approvalsContract(test: StoreTest): void {
  describe('approvals', () => {
    test('reads back an inserted approval exactly, and nothing for an unknown id', async (s) => {
      const a = approval('a1');
      await s.approvals.insertApproval(a);
      assert.deepEqual(await s.approvals.getApproval('a1'), a);
      assert.equal(await s.approvals.getApproval('nope'), undefined);
    });

    test('finds the newest pending, unexpired approval with a fingerprint', async (s) => {
      await s.approvals.insertApproval(approval('old', { fingerprint: 'X' }));
      await s.approvals.insertApproval(approval('new', { fingerprint: 'X', expires_at: iso(T + 2 * HOUR) }));
      assert.equal((await s.approvals.findPending('X', T))?.id, 'new');
      assert.equal(await s.approvals.findPending('Y', T), undefined);
      assert.equal(await s.approvals.findPending('X', T + 2 * HOUR), undefined, 'expired at expires_at');
      await s.approvals.castVote('new', vote('lee', 'deny'), T, 0);
      assert.equal((await s.approvals.findPending('X', T))?.id, 'old');
    });

    test('finds the oldest approved, unexpired approval with a fingerprint, and none once it is used', async (s, r) => {
      await s.approvals.insertApproval(approval('pending', { fingerprint: 'X' }));
      assert.equal(await s.approvals.findApproved('X', T), undefined, 'a pending one is not approved');
      for (const id of ['first', 'second']) {
        await s.approvals.insertApproval(approval(id, { fingerprint: 'X' }));
        await s.approvals.castVote(id, vote('lee'), T, 60_000);
      }
      await s.approvals.insertApproval(approval('other', { fingerprint: 'Y' }));
      await s.approvals.castVote('other', vote('lee'), T, 60_000);
      assert.equal((await r.approvals.findApproved('X', T + 1))?.id, 'first');
      await s.approvals.useApproval('first', 'X', T + 2);
      assert.equal((await r.approvals.findApproved('X', T + 3))?.id, 'second');
      assert.equal(await s.approvals.findApproved('X', T + 60_000), undefined, 'past its use-by time');
      assert.equal(await s.approvals.findApproved('Z', T), undefined);
    });

    test('lists by status, newest first, up to the limit', async (s) => {
      for (const id of ['a', 'b', 'c']) await s.approvals.insertApproval(approval(id));
      await s.approvals.castVote('b', vote('lee'), T, HOUR);
      const ids = async (status: Approval['status'] | undefined, limit = 10) => (await s.approvals.listApprovals(status, limit)).items.map((a) => a.id);
      assert.deepEqual(await ids(undefined), ['c', 'b', 'a']);
      assert.deepEqual(await ids(undefined, 2), ['c', 'b']);
      assert.deepEqual(await ids('pending'), ['c', 'a']);
      assert.deepEqual(await ids('approved'), ['b']);
      assert.deepEqual(await ids('denied'), []);
    });

    test('pages through a list without losing or repeating an item, whatever arrives meanwhile', async (s) => {
      for (let i = 0; i < 7; i++) await s.approvals.insertApproval(approval(`p${i}`));
      const seen: string[] = [];
      let page = await s.approvals.listApprovals('pending', 3);
      seen.push(...page.items.map((a) => a.id));
      await s.approvals.insertApproval(approval('late'));
      while (page.next !== undefined) {
        page = await s.approvals.listApprovals('pending', 3, page.next);
        seen.push(...page.items.map((a) => a.id));
      }
      assert.deepEqual(seen, ['p6', 'p5', 'p4', 'p3', 'p2', 'p1', 'p0']);
      assert.equal((await s.approvals.listApprovals('pending', 8)).next, undefined, 'no next page after the last');
    });

    test('counts the pending, unexpired approvals of one principal', async (s) => {
      await s.approvals.insertApproval(approval('a1'));
      await s.approvals.insertApproval(approval('a2', { expires_at: iso(T + 1) }));
      await s.approvals.insertApproval(approval('b1', { principal: { type: 'Agent', id: 'alice', groups: [] } }));
      await s.approvals.insertApproval(approval('a3'));
      await s.approvals.castVote('a3', vote('lee', 'deny'), T, 0);
      assert.equal(await s.approvals.countPending({ type: 'User', id: 'alice' }, T + 10), 1);
    });

    test('records each approver once and reports not_found and not_pending', async (s) => {
      await s.approvals.insertApproval(approval('q2', { quorum: 2 }));
      assert.deepEqual(await s.approvals.castVote('nope', vote('lee'), T, HOUR), { outcome: 'not_found' });
      const first = await s.approvals.castVote('q2', vote('lee'), T, HOUR);
      assert.equal(first.outcome, 'recorded');
      assert.equal(first.approval?.status, 'pending');
      assert.deepEqual(first.approval?.votes, [vote('lee')]);
      const again = await s.approvals.castVote('q2', vote('lee', 'deny'), T, HOUR);
      assert.equal(again.outcome, 'duplicate');
      assert.deepEqual(again.approval?.votes, [vote('lee')]);
      assert.equal((await s.approvals.castVote('q2', vote('kim'), T, HOUR)).approval?.status, 'approved');
      const late = await s.approvals.castVote('q2', vote('max'), T, HOUR);
      assert.equal(late.outcome, 'not_pending');
      assert.equal(late.approval?.votes.length, 2);
      await s.approvals.insertApproval(approval('stale'));
      const expired = await s.approvals.castVote('stale', vote('lee'), T + HOUR, HOUR);
      assert.equal(expired.outcome, 'not_pending');
      assert.deepEqual(expired.approval?.votes, []);
    });

    test('closes as denied on a deny vote, keeping its expiry', async (s) => {
      await s.approvals.insertApproval(approval('d', { quorum: 2 }));
      await s.approvals.castVote('d', vote('lee'), T + 1000, HOUR);
      const denied = await s.approvals.castVote('d', vote('kim', 'deny'), T + 2000, HOUR);
      assert.equal(denied.outcome, 'recorded');
      assert.deepEqual(denied.approval, { ...approval('d', { quorum: 2 }), status: 'denied', decided_at: iso(T + 2000), votes: [vote('lee'), vote('kim', 'deny')] });
    });

    test('closes as approved on the quorum-th approve, usable until now + useTtl', async (s) => {
      await s.approvals.insertApproval(approval('ok', { quorum: 2 }));
      await s.approvals.castVote('ok', vote('lee'), T + 1000, 60_000);
      const done = await s.approvals.castVote('ok', vote('kim'), T + 2000, 60_000);
      assert.equal(done.approval?.status, 'approved');
      assert.equal(done.approval?.decided_at, iso(T + 2000));
      assert.equal(done.approval?.expires_at, iso(T + 62_000));
    });

    test('reaches the quorum exactly once under concurrent votes from several callers', async (s, r) => {
      await s.approvals.insertApproval(approval('race', { quorum: 3 }));
      const voters = Array.from({ length: 8 }, (_, i) => `approver-${i}`);
      const results = await Promise.all(voters.map((v, i) => (i % 2 ? r : s).approvals.castVote('race', vote(v), T, HOUR)));
      const recorded = results.filter((x) => x.outcome === 'recorded');
      assert.equal(recorded.length, 3);
      assert.equal(results.filter((x) => x.outcome === 'not_pending').length, 5);
      assert.equal(recorded.filter((x) => x.approval?.status === 'approved').length, 1, 'one vote completes it');
      const final = await s.approvals.getApproval('race');
      assert.equal(final?.status, 'approved');
      assert.equal(final?.votes.length, 3);
    });

    test('is used once, only with the matching fingerprint and before its use-by time', async (s, r) => {
      await s.approvals.insertApproval(approval('u'));
      assert.equal(await s.approvals.useApproval('u', 'fp-u', T), undefined, 'still pending');
      await s.approvals.castVote('u', vote('lee'), T, 60_000);
      assert.equal(await s.approvals.useApproval('u', 'fp-other', T + 1), undefined);
      assert.equal(await s.approvals.useApproval('u', 'fp-u', T + 60_000), undefined, 'past use-by');
      const uses = await Promise.all([s, r, s, r].map((x) => x.approvals.useApproval('u', 'fp-u', T + 1000)));
      const used = uses.filter((x) => x !== undefined);
      assert.equal(used.length, 1);
      assert.equal(used[0]!.status, 'used');
      assert.equal(used[0]!.used_at, iso(T + 1000));
      assert.equal(await s.approvals.useApproval('u', 'fp-u', T + 2000), undefined);
    });

    test('expires pending and approved approvals past expires_at, and nothing else', async (s) => {
      await s.approvals.insertApproval(approval('pending-due'));
      await s.approvals.insertApproval(approval('pending-later', { expires_at: iso(T + 3 * HOUR) }));
      for (const id of ['approved', 'denied', 'used']) await s.approvals.insertApproval(approval(id));
      await s.approvals.castVote('approved', vote('lee'), T, 60_000);
      await s.approvals.castVote('denied', vote('lee', 'deny'), T, 60_000);
      await s.approvals.castVote('used', vote('lee'), T, 60_000);
      await s.approvals.useApproval('used', 'fp-used', T + 1);
      const expired = await s.approvals.expireApprovals(T + HOUR);
      assert.deepEqual(expired.map((a) => [a.id, a.status]).sort(), [['approved', 'expired'], ['pending-due', 'expired']]);
      assert.deepEqual(await s.approvals.expireApprovals(T + HOUR), []);
      assert.equal((await s.approvals.getApproval('pending-later'))?.status, 'pending');
      assert.equal((await s.approvals.getApproval('used'))?.status, 'used');
    });
  });
}
