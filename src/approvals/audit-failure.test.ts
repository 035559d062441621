// Issue 19, finding 12: a state change must never commit without its audit record, and what
// follows a change (the approval's listeners: notifications, held requests, the grant it starts)
// must happen once the change does. The audit log fails here the way a database fails: a trigger
// on the real SQLite file refuses every audit insert until it is dropped.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AuditWriter } from '../audit/writer.js';
import { storeAppender } from '../audit/append/appender.js';
import { tempDir } from '../lib/test-temp-dir.js';
import { waitFor } from '../lib/test-wait.js';
import type { Decision } from '../model/decision.js';
import type { Principal } from '../model/principal.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { ActiveGrants } from './grants/active-grants.js';
import { GrantService } from './grants/service.js';
import { ApprovalService, type ApprovalEvent, type ApprovalRequest } from './service.js';

const user = (id: string, groups: string[] = []): Principal => ({ type: 'User', id, groups, mfa: false, mfaAge: 1e9, authMethod: 'oidc' });
const lee = user('lee', ['ml-leads']);
const requirements = [{ groups: ['ml-leads'], quorum: 1 }];

const closers: (() => unknown)[] = [];
after(async () => {
  for (const close of closers) await close();
});

function setup() {
  const file = path.join(tempDir('audit-failure'), 'airlock.db');
  const store = openSqliteStore(file);
  // Another connection, as an operator's or a failing disk's would be.
  const admin = new Database(file);
  let clock = Date.parse('2026-11-23T10:00:00Z');
  const now = () => clock;
  const events: [ApprovalEvent, string][] = [];
  const approvals = new ApprovalService(store.approvals, { ttlSeconds: 60, audit: new AuditWriter(storeAppender(store.audit)), now });
  approvals.onChange((event, a) => events.push([event, a.status]));
  const active = new ActiveGrants(store.grants, now);
  const grants = new GrantService(store.grants, approvals, active, now);
  closers.push(() => active.close(), () => admin.close(), () => store.close());
  const ask: ApprovalRequest = {
    kind: 'request',
    principal: user('alice', ['ml-eng']),
    action: 'model.invoke',
    resource: 'Model::"llm/gpt-4o"',
    resourceName: 'llm',
    context: {},
    request: { method: 'POST', path: '/v1/chat/completions', body_sha256: 'ab'.repeat(32) },
    obligation: { groups: ['ml-leads'], quorum: 1, requirements },
    requestId: 'r1',
    policyVersion: 'v',
    policies: ['p'],
  };
  return {
    store,
    approvals,
    grants,
    active,
    ask,
    events,
    tick: (ms: number) => (clock += ms),
    /** Every insert into `table` fails until the returned function is called. */
    fail(table = 'audit_records'): () => void {
      admin.exec(`CREATE TRIGGER injected_failure BEFORE ${table === 'grants' ? 'UPDATE' : 'INSERT'} ON ${table} BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
      return () => admin.exec(`DROP TRIGGER injected_failure`);
    },
    async records(kind: string) {
      return (await store.audit.readAudit(-1, 1000)).map((r) => JSON.parse(r.line) as Record<string, unknown>).filter((r) => r.kind === kind);
    },
  };
}

describe('approvals when the audit log fails (finding 12)', () => {
  it('does not count a vote whose record cannot be written, and counts it (with its record and listeners) when it can', async () => {
    const t = setup();
    const a = await t.approvals.open(t.ask);
    const recover = t.fail();
    await assert.rejects(t.approvals.vote(a.id, lee, 'approve', 'looks fine'));
    const meanwhile = await t.approvals.get(a.id);
    assert.equal(meanwhile?.status, 'pending', 'no approval without the record of who approved it');
    assert.deepEqual(meanwhile?.votes, []);
    assert.deepEqual(t.events, [['created', 'pending']]);

    recover();
    const approved = await t.approvals.vote(a.id, lee, 'approve', 'looks fine');
    assert.equal(approved.status, 'approved');
    const [vote] = await t.records('approval_vote');
    assert.deepEqual([vote?.approval_id, vote?.approver, vote?.accepted], [a.id, { type: 'User', id: 'lee' }, true]);
    assert.deepEqual((await t.records('approval_state')).map((r) => r.status), ['approved']);
    assert.deepEqual(t.events, [['created', 'pending'], ['approved', 'approved']], 'notifications and held requests hear of it');
  });

  it('does not open, spend or expire an approval without its record', async () => {
    const t = setup();
    let recover = t.fail();
    await assert.rejects(t.approvals.open(t.ask));
    assert.equal((await t.store.approvals.listApprovals(undefined, 10)).items.length, 0);
    recover();
    const a = await t.approvals.open(t.ask);
    await t.approvals.vote(a.id, lee, 'approve', '');
    const binding = { principal: t.ask.principal, action: t.ask.action, resource: t.ask.resource, request: t.ask.request, requirements };

    recover = t.fail();
    await assert.rejects(t.approvals.use(a.id, binding, 'r2'));
    assert.equal((await t.approvals.get(a.id))?.status, 'approved');
    recover();
    assert.equal((await t.approvals.use(a.id, binding, 'r2'))?.status, 'used');
    assert.deepEqual((await t.records('approval_used')).map((r) => r.used_by_request_id), ['r2']);

    const b = await t.approvals.open({ ...t.ask, requestId: 'r3', request: { ...t.ask.request, body_sha256: 'cd'.repeat(32) } });
    t.tick(61_000);
    recover = t.fail();
    await assert.rejects(t.approvals.sweep());
    assert.equal((await t.approvals.get(b.id))?.status, 'pending', 'not expired without a record');
    await assert.rejects(t.approvals.vote(b.id, lee, 'approve', ''), 'and still no vote lands on it');
    recover();
    await t.approvals.sweep();
    assert.equal((await t.approvals.get(b.id))?.status, 'expired');
    assert.ok(t.events.some(([e]) => e === 'expired'));
  });

  it('starts an approved grant on the next sweep when starting it failed at the approval', async () => {
    const t = setup();
    await t.active.start();
    const decision = { effect: 'approval_required', obligations: { approval: { groups: ['ml-leads'], quorum: 1, requirements } }, policyVersion: 'v', policies: ['p'] } as unknown as Decision;
    const { grant, approval } = await t.grants.request(user('alice'), { group: 'oncall', duration_seconds: 600, reason: 'incident' }, decision, {}, 'r1');
    const recover = t.fail('grants');
    await t.approvals.vote(approval!.id, lee, 'approve', '');
    assert.equal((await t.grants.get(grant.id))?.status, 'pending', 'the start failed');
    await assert.rejects(t.grants.sweep());

    recover();
    await t.grants.sweep();
    assert.equal((await t.grants.get(grant.id))?.status, 'active');
    assert.deepEqual((await t.records('grant_started')).map((r) => r.grant_id), [grant.id]);
    await waitFor(() => t.active.withGrants(user('alice')).groups.includes('oncall'));
  });

  it('does not revoke a grant without its record, and revokes it with one', async () => {
    const t = setup();
    const decision = { effect: 'allow', obligations: {}, policyVersion: 'v', policies: ['p'] } as unknown as Decision;
    const { grant } = await t.grants.request(user('alice'), { group: 'oncall', duration_seconds: 600, reason: 'incident' }, decision, {}, 'r1');
    const recover = t.fail();
    await assert.rejects(t.grants.revoke(grant.id, lee, 'r2'));
    assert.equal((await t.grants.get(grant.id))?.status, 'active');
    recover();
    assert.equal((await t.grants.revoke(grant.id, lee, 'r2')).status, 'revoked');
    assert.deepEqual((await t.records('grant_revoked')).map((r) => r.by), [{ type: 'User', id: 'lee' }]);
  });
});
