// The storage contract: one node:test suite that every backend runs (Pomerium's storagetest), so
// SQLite and PostgreSQL cannot drift. Each test opens a fresh, empty store; the clock is frozen
// by passing explicit times. `replica` opens a second Store on the same database, as another
// process would: the concurrency tests then spread their callers over both.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Approval, Vote, VoteChoice } from '../approvals/types.js';
import { emptyRoot, leafHash, nodeHash, rootHash } from '../audit/log/index.js';
import { recordLine } from './audit-line.js';
import type { ApiKeyRecord, AuditEntry, Grant, Store } from './ports.js';

export interface ContractOptions {
  /** A second Store on the same database as `store`, like another replica. */
  readonly replica?: (store: Store) => Promise<Store>;
  /** True when a publish on one Store reaches subscribers on another (a shared feed). */
  readonly sharedFeed?: boolean;
}

const T = Date.parse('2030-01-01T00:00:00.000Z');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** RFC 9162 MTH computed from scratch: the reference the stored head and nodes must match. */
function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return emptyRoot();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

const key = (id: string, agent: string, over: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  id, agent, groups: ['agents', agent], hash: `hash-${id}`, createdAt: T, expiresAt: null, revokedAt: null, ...over,
});

const approval = (id: string, over: Partial<Approval> = {}): Approval => ({
  id, kind: 'request', status: 'pending', principal: { type: 'User', id: 'alice', groups: ['ml-eng'] },
  action: 'model.invoke', resource: 'Model::"llm/gpt-4o"', resource_name: 'llm', context: { tokens: 12, stream: true },
  request: { method: 'POST', path: '/v1/chat/completions?x=1', body_sha256: 'ab'.repeat(32) }, fingerprint: `fp-${id}`,
  groups: ['ml-leads'], quorum: 1, votes: [], reason: 'needs a look', request_id: `req-${id}`, policy_version: 'v7',
  policies: ['p1', 'p2'], created_at: iso(T), expires_at: iso(T + HOUR), decided_at: null, used_at: null, ...over,
});

const vote = (approver: string, choice: VoteChoice = 'approve', at = T): Vote => ({
  approver: { type: 'User', id: approver }, vote: choice, reason: `${approver} says ${choice}`, time: iso(at),
});

const grant = (id: string, over: Partial<Grant> = {}): Grant => ({
  id, principal: { type: 'User', id: 'alice' }, group: 'oncall', reason: 'incident 42', duration_seconds: 3600,
  status: 'pending', approval_id: `ap-${id}`, created_at: iso(T), starts_at: null, expires_at: null, ended_at: null, ...over,
});

const entries = (n: number, tag: string): AuditEntry[] =>
  Array.from({ length: n }, (_, i) => ({ kind: 'decision', request_id: `${tag}-${i}`, effect: i % 3 ? 'allow' : 'deny', note: 'ü "q" \\ ✓' }));

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
  const test = (title: string, fn: (store: Store, replica: Store) => Promise<void>) => it(title, () => withStore(fn));

  describe(`store contract: ${name}`, () => {
    test('answers ping while open', async (s) => {
      assert.equal(await s.ping(), true);
    });

    describe('keys', () => {
      test('lists inserted keys and changes the version on every insert', async (s) => {
        const v0 = await s.keys.keysVersion();
        const a = key('k1', 'bot-a');
        const b = key('k2', 'bot-b', { createdAt: T + 1, expiresAt: T + HOUR });
        await s.keys.insertKey(a);
        const v1 = await s.keys.keysVersion();
        await s.keys.insertKey(b);
        const v2 = await s.keys.keysVersion();
        assert.ok(v1 > v0 && v2 > v1, `versions ${v0}, ${v1}, ${v2}`);
        assert.deepEqual(await s.keys.listKeys(), [a, b]);
        await assert.rejects(s.keys.insertKey(key('k3', 'bot-c', { hash: a.hash })));
      });

      test('lists as live only keys neither revoked nor expired at now', async (s) => {
        await s.keys.insertKey(key('gone', 'a', { expiresAt: T - 1 }));
        await s.keys.insertKey(key('edge', 'a', { createdAt: T + 1, expiresAt: T }));
        await s.keys.insertKey(key('revoked', 'a', { createdAt: T + 2, revokedAt: T - 5 }));
        await s.keys.insertKey(key('forever', 'a', { createdAt: T + 3 }));
        await s.keys.insertKey(key('later', 'b', { createdAt: T + 4, expiresAt: T + 1000 }));
        assert.deepEqual((await s.keys.listLiveKeys(T)).map((k) => k.id), ['forever', 'later']);
        assert.deepEqual((await s.keys.listLiveKeys(T + 1000)).map((k) => k.id), ['forever']);
      });

      test("revokes every live key of one agent and none of another's", async (s) => {
        await s.keys.insertKey(key('a1', 'bot-a'));
        await s.keys.insertKey(key('a2', 'bot-a', { createdAt: T + 1 }));
        await s.keys.insertKey(key('b1', 'bot-b', { createdAt: T + 2 }));
        const before = await s.keys.keysVersion();
        assert.equal(await s.keys.revokeAgentKeys('bot-a', T + 10), 2);
        const after = await s.keys.keysVersion();
        assert.ok(after > before);
        assert.deepEqual((await s.keys.listKeys()).map((k) => [k.id, k.revokedAt]), [['a1', T + 10], ['a2', T + 10], ['b1', null]]);
        assert.deepEqual((await s.keys.listLiveKeys(T + 10)).map((k) => k.id), ['b1']);
        assert.equal(await s.keys.revokeAgentKeys('bot-a', T + 20), 0);
        assert.equal(await s.keys.keysVersion(), after, 'a revocation that changed nothing keeps the version');
      });
    });

    describe('audit', () => {
      test('assigns gap-free seqs from 0 and stores recordLine lines', async (s) => {
        assert.deepEqual(await s.audit.appendAudit([]), []);
        const first = await s.audit.appendAudit(entries(3, 'a'));
        const second = await s.audit.appendAudit([{ kind: 'outcome', seq: 99, v: 5, status: 200 }]);
        assert.deepEqual([...first, ...second].map((r) => r.seq), [0, 1, 2, 3]);
        entries(3, 'a').forEach((e, i) => assert.equal(first[i]!.line, recordLine(i, e)));
        assert.equal(second[0]!.line, '{"v":1,"seq":3,"kind":"outcome","status":200}');
        assert.deepEqual(await s.audit.readAudit(-1, 100), [...first, ...second]);
      });

      test('keeps the head and the stored nodes consistent with the lines', async (s) => {
        for (const n of [1, 4, 3, 5]) await s.audit.appendAudit(entries(n, `b${n}`));
        const leaves = (await s.audit.readAudit(-1, 100)).map((r) => leafHash(r.line));
        const head = await s.audit.auditHead();
        assert.equal(head.size, 13);
        assert.equal(head.edges.length, 3, '13 = 8 + 4 + 1');
        assert.deepEqual(rootHash(head), mth(leaves));
        const keys = [];
        for (let level = 0; 2 ** level <= 13; level++) for (let index = 0; (index + 1) * 2 ** level <= 13; index++) keys.push({ level, index });
        const stored = await s.audit.readNodes(keys);
        keys.forEach((k, i) => assert.deepEqual(stored[i], mth(leaves.slice(k.index * 2 ** k.level, (k.index + 1) * 2 ** k.level)), `node ${k.level}/${k.index}`));
      });

      test('reads nodes in the order asked and throws when one is missing', async (s) => {
        const records = await s.audit.appendAudit(entries(4, 'c'));
        const leaves = records.map((r) => leafHash(r.line));
        assert.deepEqual(await s.audit.readNodes([{ level: 0, index: 3 }, { level: 2, index: 0 }, { level: 0, index: 0 }]), [leaves[3], mth(leaves), leaves[0]]);
        assert.deepEqual(await s.audit.readNodes([]), []);
        await assert.rejects(s.audit.readNodes([{ level: 0, index: 1 }, { level: 0, index: 4 }]), /missing/);
        await assert.rejects(s.audit.readNodes([{ level: 3, index: 0 }]), /missing/);
      });

      test('leaves nothing behind when a batch fails', async (s) => {
        await s.audit.appendAudit(entries(2, 'ok'));
        await assert.rejects(s.audit.appendAudit([{ kind: 'fine' }, { kind: 'unserialisable', n: 1n }]));
        assert.equal((await s.audit.auditHead()).size, 2);
        assert.equal((await s.audit.readAudit(-1, 10)).length, 2);
        assert.deepEqual((await s.audit.appendAudit(entries(1, 'next'))).map((r) => r.seq), [2]);
      });

      test('pages records after a seq', async (s) => {
        await s.audit.appendAudit(entries(10, 'p'));
        const page = async (after: number) => (await s.audit.readAudit(after, 4)).map((r) => r.seq);
        assert.deepEqual(await page(-1), [0, 1, 2, 3]);
        assert.deepEqual(await page(3), [4, 5, 6, 7]);
        assert.deepEqual(await page(7), [8, 9]);
        assert.deepEqual(await page(9), []);
      });

      test('saves one checkpoint per size and lists them in order', async (s) => {
        assert.equal(await s.audit.latestCheckpoint(), undefined);
        assert.deepEqual(await s.audit.listCheckpoints(), []);
        await s.audit.saveCheckpoint(8, 'note-8', T);
        await s.audit.saveCheckpoint(4, 'note-4', T + 1);
        await s.audit.saveCheckpoint(8, 'other', T + 2);
        assert.deepEqual(await s.audit.latestCheckpoint(), { size: 8, note: 'note-8' });
        assert.deepEqual(await s.audit.listCheckpoints(), [{ size: 4, note: 'note-4' }, { size: 8, note: 'note-8' }]);
      });

      test('keeps a cursor per sink, -1 before the first delivery', async (s) => {
        assert.equal(await s.audit.sinkCursor('splunk'), -1);
        await s.audit.setSinkCursor('splunk', 5, T);
        await s.audit.setSinkCursor('splunk', 9, T + 1);
        assert.equal(await s.audit.sinkCursor('splunk'), 9);
        assert.equal(await s.audit.sinkCursor('datadog'), -1);
      });

      test('gives two replicas appending at once gap-free seqs and one consistent tree', async (s, r) => {
        // 2 stores x 4 concurrent writers x 5 batches x 100 records = 4,000 records.
        const writer = async (store: Store, tag: string) => {
          const got = [];
          for (let b = 0; b < 5; b++) got.push(...(await store.audit.appendAudit(entries(100, `${tag}-${b}`))));
          return got;
        };
        const results = (await Promise.all([s, r].flatMap((store, i) => [0, 1, 2, 3].map((w) => writer(store, `${i}-${w}`))))).flat();
        assert.deepEqual(results.map((x) => x.seq).sort((a, b) => a - b), Array.from({ length: 4000 }, (_, i) => i));
        const stored = [];
        for (let after = -1; stored.length < 4000; after = stored.at(-1)!.seq) stored.push(...(await r.audit.readAudit(after, 1000)));
        const bySeq = new Map(results.map((x) => [x.seq, x.line]));
        stored.forEach((x, i) => assert.ok(x.seq === i && bySeq.get(i) === x.line, `record ${i}`));
        const head = await s.audit.auditHead();
        assert.equal(head.size, 4000);
        assert.deepEqual(rootHash(head), mth(stored.map((x) => leafHash(x.line))));
      });
    });

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

      test('lists by status, newest first, up to the limit', async (s) => {
        for (const id of ['a', 'b', 'c']) await s.approvals.insertApproval(approval(id));
        await s.approvals.castVote('b', vote('lee'), T, HOUR);
        const ids = async (status: Approval['status'] | undefined, limit = 10) => (await s.approvals.listApprovals(status, limit)).map((a) => a.id);
        assert.deepEqual(await ids(undefined), ['c', 'b', 'a']);
        assert.deepEqual(await ids(undefined, 2), ['c', 'b']);
        assert.deepEqual(await ids('pending'), ['c', 'a']);
        assert.deepEqual(await ids('approved'), ['b']);
        assert.deepEqual(await ids('denied'), []);
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

    describe('grants', () => {
      test('reads back an inserted grant, lists newest first and changes the version', async (s) => {
        const v0 = await s.grants.grantsVersion();
        await s.grants.insertGrant(grant('g1'));
        await s.grants.insertGrant(grant('g2', { principal: { type: 'Agent', id: 'bot' } }));
        assert.ok((await s.grants.grantsVersion()) > v0);
        assert.deepEqual(await s.grants.getGrant('g1'), grant('g1'));
        assert.equal(await s.grants.getGrant('nope'), undefined);
        assert.deepEqual((await s.grants.listGrants(10)).map((g) => g.id), ['g2', 'g1']);
        assert.deepEqual((await s.grants.listGrants(1)).map((g) => g.id), ['g2']);
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
  });
}
