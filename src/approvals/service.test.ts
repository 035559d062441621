// The approval rules as properties, on the real SQLite store with a frozen clock.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AuditWriter } from '../audit/writer.js';
import { storeAppender } from '../audit/append/appender.js';
import { AirlockError } from '../lib/errors.js';
import type { Principal } from '../model/principal.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { ApprovalService, type ApprovalRequest } from './service.js';
import type { BoundRequest } from './types.js';

const user = (id: string, groups: string[] = []): Principal => ({ type: 'User', id, groups, mfa: false, mfaAge: 1e9, authMethod: 'oidc' });
const requester = user('alice', ['ml-eng', 'ml-leads']);
const bound: BoundRequest = { method: 'POST', path: '/v1/chat/completions', body_sha256: 'ab'.repeat(32) };

function setup(quorum = 1, ttlSeconds = 60) {
  const store = openSqliteStore(':memory:');
  let clock = Date.parse('2026-11-23T10:00:00Z');
  const service = new ApprovalService(store.approvals, { ttlSeconds, audit: new AuditWriter(storeAppender(store.audit)), now: () => clock });
  const ask: ApprovalRequest = {
    kind: 'request',
    principal: requester,
    action: 'model.invoke',
    resource: 'Model::"llm/gpt-4o"',
    resourceName: 'llm',
    context: {},
    request: bound,
    obligation: { groups: ['ml-leads'], quorum, requirements: [{ groups: ['ml-leads'], quorum }] },
    requestId: 'r1',
    policyVersion: 'v',
    policies: ['p'],
  };
  return { store, service, ask, tick: (ms: number) => (clock += ms) };
}

const refusedWith = (code: string) => (err: unknown) => err instanceof AirlockError && err.code === code;

describe('approvals', () => {
  it('reuses the pending approval when the same principal repeats the same request', async () => {
    const { service, ask } = setup();
    const a = await service.open(ask);
    const b = await service.open({ ...ask, requestId: 'r2' });
    assert.equal(a.id, b.id);
    const c = await service.open({ ...ask, request: { ...bound, body_sha256: 'cd'.repeat(32) } });
    assert.notEqual(a.id, c.id);
  });

  it('never lets the requester vote, whatever groups they hold', async () => {
    await fc.assert(
      fc.asyncProperty(fc.subarray(['ml-leads', 'admins', 'ml-eng', 'x']), fc.constantFrom('approve', 'deny' as const), async (groups, choice) => {
        const { service, ask } = setup();
        const a = await service.open(ask);
        await assert.rejects(service.vote(a.id, user('alice', groups), choice as 'approve' | 'deny', ''), refusedWith('denied'));
        assert.equal((await service.get(a.id))!.status, 'pending');
      }),
      { numRuns: 20 },
    );
  });

  it('refuses approvers outside the approving groups', async () => {
    const { service, ask } = setup();
    const a = await service.open(ask);
    await assert.rejects(service.vote(a.id, user('bob', ['ml-eng']), 'approve', ''), refusedWith('denied'));
  });

  it('counts one vote per approver and needs quorum distinct approvers', async () => {
    const { service, ask } = setup(2);
    const a = await service.open(ask);
    assert.equal((await service.vote(a.id, user('lee', ['ml-leads']), 'approve', 'ok')).status, 'pending');
    await assert.rejects(service.vote(a.id, user('lee', ['ml-leads']), 'approve', 'again'), refusedWith('conflict'));
    assert.equal((await service.get(a.id))!.status, 'pending');
    const done = await service.vote(a.id, user('kim', ['ml-leads']), 'approve', 'ok');
    assert.equal(done.status, 'approved');
    assert.equal(done.votes.length, 2);
  });

  it('ends as denied on any deny vote, and takes no vote after', async () => {
    const { service, ask } = setup(3);
    const a = await service.open(ask);
    await service.vote(a.id, user('lee', ['ml-leads']), 'approve', '');
    assert.equal((await service.vote(a.id, user('kim', ['ml-leads']), 'deny', 'no')).status, 'denied');
    await assert.rejects(service.vote(a.id, user('joe', ['ml-leads']), 'approve', ''), refusedWith('conflict'));
  });

  it('reaches the quorum exactly once under concurrent votes', async () => {
    for (const quorum of [1, 2, 3]) {
      const { service, ask, store } = setup(quorum);
      const a = await service.open(ask);
      const approvers = ['p1', 'p2', 'p3', 'p4', 'p5'].map((id) => user(id, ['ml-leads']));
      const results = await Promise.allSettled(approvers.map((p) => service.vote(a.id, p, 'approve', '')));
      const accepted = results.filter((r) => r.status === 'fulfilled').length;
      assert.equal(accepted, quorum, `quorum ${quorum}`);
      assert.equal((await service.get(a.id))!.status, 'approved');
      await new AuditWriter(storeAppender(store.audit)).flush();
      const states = (await store.audit.readAudit(-1, 1000)).map((r) => JSON.parse(r.line)).filter((r) => r.kind === 'approval_state');
      assert.equal(states.length, 1);
    }
  });

  it('is bound to the principal and the exact request, and spent once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          who: fc.constantFrom('alice', 'mallory'),
          method: fc.constantFrom('POST', 'PUT'),
          path: fc.constantFrom('/v1/chat/completions', '/v1/chat/completions?x=1', '/v1/embeddings'),
          body: fc.constantFrom('ab'.repeat(32), 'cd'.repeat(32), null),
        }),
        async ({ who, method, path, body }) => {
          const { service, ask } = setup();
          const a = await service.open(ask);
          await service.vote(a.id, user('lee', ['ml-leads']), 'approve', '');
          const exact = who === 'alice' && method === bound.method && path === bound.path && body === bound.body_sha256;
          const requirements = ask.obligation.requirements;
          const used = await service.use(a.id, { principal: user(who, requester.groups as string[]), action: ask.action, resource: ask.resource, request: { method, path, body_sha256: body }, requirements }, 'r9');
          assert.equal(Boolean(used), exact);
          if (exact) assert.equal(await service.use(a.id, { principal: requester, action: ask.action, resource: ask.resource, request: bound, requirements }, 'r10'), undefined, 'second use');
        },
      ),
      { numRuns: 40 },
    );
  });

  it('expires a pending approval after the TTL (frozen clock) and refuses votes on it', async () => {
    const { service, ask, tick } = setup(1, 60);
    const a = await service.open(ask);
    tick(59_000);
    await service.sweep();
    assert.equal((await service.get(a.id))!.status, 'pending');
    tick(2_000);
    await service.sweep();
    assert.equal((await service.get(a.id))!.status, 'expired');
    await assert.rejects(service.vote(a.id, user('lee', ['ml-leads']), 'approve', ''), refusedWith('conflict'));
  });

  it('refuses to spend an approved approval after its use-by time', async () => {
    const { service, ask, tick } = setup(1, 60);
    const a = await service.open(ask);
    await service.vote(a.id, user('lee', ['ml-leads']), 'approve', '');
    tick(61_000);
    assert.equal(await service.use(a.id, { principal: requester, action: ask.action, resource: ask.resource, request: bound, requirements: ask.obligation.requirements }, 'r2'), undefined);
  });

  it('releases an approval with two requirements only when each is met by a different approver', async () => {
    const { service, ask } = setup();
    const requirements = [{ groups: ['ml-leads'], quorum: 1 }, { groups: ['security'], quorum: 1 }];
    const a = await service.open({ ...ask, obligation: { requirements, groups: ['ml-leads', 'security'], quorum: 2 } });
    const after = await service.vote(a.id, user('both', ['ml-leads', 'security']), 'approve', '');
    assert.equal(after.status, 'pending', 'one person does not meet two requirements');
    assert.equal((await service.vote(a.id, user('sam', ['security']), 'approve', '')).status, 'approved');
  });

  it('cannot be spent once the bundle asks more of its approvers than when it was opened', async () => {
    const { service, ask } = setup();
    const a = await service.open(ask);
    await service.vote(a.id, user('lee', ['ml-leads']), 'approve', '');
    const stricter = [{ groups: ['security'], quorum: 2 }];
    assert.equal(await service.use(a.id, { principal: requester, action: ask.action, resource: ask.resource, request: bound, requirements: stricter }, 'r2'), undefined);
    assert.ok(await service.use(a.id, { principal: requester, action: ask.action, resource: ask.resource, request: bound, requirements: ask.obligation.requirements }, 'r3'));
  });

  it('tells another principal nothing of an approval that is not theirs', async () => {
    const { service, ask } = setup();
    const a = await service.open(ask);
    await service.vote(a.id, user('lee', ['ml-leads']), 'deny', '');
    const binding = { action: ask.action, resource: ask.resource, request: bound, requirements: ask.obligation.requirements };
    assert.deepEqual(await service.redeem(a.id, { ...binding, principal: user('mallory', []) }, 'r2'), { state: 'refused', status: 'unknown' });
    assert.deepEqual(await service.redeem(a.id, { ...binding, principal: requester }, 'r3'), { state: 'refused', status: 'denied' });
  });
});
