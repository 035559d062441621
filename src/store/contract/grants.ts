// The GrantStore contract: grants start when approved, end once, and move the version each time.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Grant } from '../ports.js';
import { approval, vote } from './approvals.js';
import { HOUR, T, iso, type StoreTest } from './harness.js';

export const grant = (id: string, over: Partial<Grant> = {}): Grant => ({
  id, principal: { type: 'User', id: 'alice' }, group: 'oncall', reason: 'incident 42', duration_seconds: 3600,
  status: 'pending', approval_id: `ap-${id}`, created_at: iso(T), starts_at: null, expires_at: null, ended_at: null, ...over,
});

export function grantsContract(test: StoreTest): void {
  describe('grants', () => {
    test('reads back an inserted grant, lists newest first and changes the version', async (s) => {
      const v0 = await s.grants.grantsVersion();
      await s.grants.insertGrant(grant('g1'));
      await s.grants.insertGrant(grant('g2', { principal: { type: 'Agent', id: 'bot' } }));
      assert.ok((await s.grants.grantsVersion()) > v0);
      assert.deepEqual(await s.grants.getGrant('g1'), grant('g1'));
      assert.equal(await s.grants.getGrant('nope'), undefined);
      assert.deepEqual((await s.grants.listGrants(10)).items.map((g) => g.id), ['g2', 'g1']);
      assert.deepEqual((await s.grants.listGrants(1)).items.map((g) => g.id), ['g2']);
    });

    test('activates the pending grant of an approval once, counting from the approval', async (s, r) => {
      await s.grants.insertGrant(grant('g'));
      const v = await s.grants.grantsVersion();
      const at = T + 5 * 60_000;
      const results = await Promise.all([s, r].map((x) => x.grants.activateGrant('ap-g', at)));
      const active = results.filter((g) => g !== undefined);
      assert.equal(active.length, 1);
      assert.deepEqual(active[0], { ...grant('g'), status: 'active', starts_at: iso(at), expires_at: iso(at + HOUR) });
      assert.ok((await s.grants.grantsVersion()) > v);
      assert.deepEqual((await s.grants.listActiveGrants(at)).map((g) => g.id), ['g']);
      assert.deepEqual(await s.grants.listActiveGrants(at + HOUR), []);
      assert.equal(await s.grants.activateGrant('ap-unknown', at), undefined);
    });

    test('catches up on pending grants whose approval is approved, and on nothing else', async (s, r) => {
      for (const id of ['ok', 'waiting', 'denied']) {
        await s.approvals.insertApproval(approval(`ap-${id}`));
        await s.grants.insertGrant(grant(id));
      }
      await s.approvals.castVote('ap-ok', vote('lee'), T, HOUR);
      await s.approvals.castVote('ap-denied', vote('lee', 'deny'), T, HOUR);
      const at = T + 1000;
      const started = (await Promise.all([s, r].map((x) => x.grants.activateApprovedGrants(at)))).flat();
      assert.deepEqual(started, [{ ...grant('ok'), status: 'active', starts_at: iso(at), expires_at: iso(at + HOUR) }]);
      assert.deepEqual(await s.grants.activateApprovedGrants(at), []);
      assert.equal((await s.grants.getGrant('waiting'))?.status, 'pending');
      assert.equal((await s.grants.getGrant('denied'))?.status, 'pending');
    });

    test('denies the pending grant of an approval, after which it cannot start', async (s) => {
      await s.grants.insertGrant(grant('g'));
      const denied = await s.grants.denyGrant('ap-g', T + 1000);
      assert.deepEqual(denied, { ...grant('g'), status: 'denied', ended_at: iso(T + 1000) });
      assert.equal(await s.grants.activateGrant('ap-g', T + 2000), undefined);
      assert.equal(await s.grants.denyGrant('ap-g', T + 2000), undefined);
    });

    test('revokes pending and active grants, and not ended ones', async (s) => {
      await s.grants.insertGrant(grant('p'));
      await s.grants.insertGrant(grant('a'));
      await s.grants.activateGrant('ap-a', T);
      const v = await s.grants.grantsVersion();
      assert.equal((await s.grants.revokeGrant('p', T + 1))?.status, 'revoked');
      const revoked = await s.grants.revokeGrant('a', T + 2);
      assert.deepEqual([revoked?.status, revoked?.ended_at, revoked?.starts_at], ['revoked', iso(T + 2), iso(T)]);
      assert.ok((await s.grants.grantsVersion()) > v);
      assert.equal(await s.grants.revokeGrant('a', T + 3), undefined);
      assert.equal(await s.grants.revokeGrant('nope', T + 3), undefined);
      assert.deepEqual(await s.grants.listActiveGrants(T + 3), []);
    });

    test('expires active grants past their end and pending grants whose approval expired', async (s) => {
      await s.approvals.insertApproval(approval('ap-stale', { expires_at: iso(T + 1000) }));
      await s.approvals.insertApproval(approval('ap-waiting'));
      await s.grants.insertGrant(grant('stale', { approval_id: 'ap-stale' }));
      await s.grants.insertGrant(grant('waiting', { approval_id: 'ap-waiting' }));
      await s.grants.insertGrant(grant('short', { duration_seconds: 60 }));
      await s.grants.insertGrant(grant('long'));
      await s.grants.activateGrant('ap-short', T);
      await s.grants.activateGrant('ap-long', T);
      await s.approvals.expireApprovals(T + 1000);
      const v = await s.grants.grantsVersion();
      const ended = await s.grants.expireGrants(T + 60_000);
      assert.deepEqual(ended.map((g) => [g.id, g.status, g.ended_at]).sort(), [['short', 'expired', iso(T + 60_000)], ['stale', 'expired', iso(T + 60_000)]]);
      assert.ok((await s.grants.grantsVersion()) > v);
      assert.deepEqual(await s.grants.expireGrants(T + 60_000), []);
      assert.deepEqual((await s.grants.listActiveGrants(T + 60_000)).map((g) => g.id), ['long']);
      assert.equal((await s.grants.getGrant('waiting'))?.status, 'pending');
    });
  });
}
