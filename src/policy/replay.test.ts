import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundleFromFiles, createEngine } from '../decide/index.js';
import type { CedarRecord } from '../model/entity.js';
import { replay } from './replay.js';
import { decided, lines } from './test-records.js';

const LIVE = [
  '@id("mini") permit (principal in Group::"ml-eng", action == Action::"model.invoke", resource in Resource::"llm") when { context.model == "gpt-4o-mini" };',
  '@id("big") @approval("ml-leads") permit (principal in Group::"ml-eng", action == Action::"model.invoke", resource in Resource::"llm") when { context.model == "gpt-4o" };',
  '@id("step-up") @mfa("required") permit (principal, action == Action::"model.delete", resource);',
].join('\n');
const NO_BOB = `${LIVE}\n@id("no-bob") forbid (principal == User::"bob", action, resource);`;

const mini = { groups: ['ml-eng'], context: { model: 'gpt-4o-mini' } };
const noAttributes = () => undefined;

async function run(candidate: string, records: Iterable<string>, opts: { sinceMs?: number; examples?: number; attributesOf?: (n: string) => CedarRecord | undefined } = {}) {
  const engine = createEngine(bundleFromFiles({ 'c.cedar': candidate }));
  try {
    return await replay(records, { engine, attributesOf: opts.attributesOf ?? noAttributes, ...opts });
  } finally {
    engine.dispose();
  }
}

describe('policy replay', () => {
  it('counts each (recorded -> candidate) pair, changes first, and shows an example of each change', async () => {
    const facts = [
      ...[1, 2, 3].map(() => decided(LIVE, { ...mini, user: 'alice' }).facts),
      ...[1, 2].map(() => decided(LIVE, { ...mini, user: 'bob' }).facts),
      decided(LIVE, { ...mini, user: 'mallory', groups: [] }).facts,
    ];
    const report = await run(NO_BOB, lines(facts));
    assert.equal(report.replayed, 6);
    assert.equal(report.changed, 2);
    assert.deepEqual(report.transitions, [
      { from: 'allow', to: 'deny', count: 2 },
      { from: 'allow', to: 'allow', count: 3 },
      { from: 'deny', to: 'deny', count: 1 },
    ]);
    // The same request twice is one example.
    assert.equal(report.examples.length, 1);
    const [ex] = report.examples;
    assert.deepEqual(
      [ex!.principal, ex!.groups, ex!.action, ex!.resource, ex!.from, ex!.to, ex!.toPolicies, ex!.fromPolicies, ex!.seq],
      ['User::"bob"', ['ml-eng'], 'model.invoke', 'Model::"llm/gpt-4o-mini"', 'allow', 'deny', ['no-bob'], ['mini'], 3],
    );
  });

  it('reports no change when the candidate decides every recorded request the same way', async () => {
    const report = await run(LIVE, lines([decided(LIVE, mini).facts, decided(LIVE, { user: 'x' }).facts]));
    assert.deepEqual([report.replayed, report.changed, report.examples.length], [2, 0, 0]);
  });

  it('skips records no bundle decided: refusals before the decision, other kinds, malformed lines', async () => {
    const time = new Date('2024-06-03T12:00:00Z');
    const base = { time, surface: 'data' as const, requestId: 'r' };
    const ok = decided(LIVE, { ...mini, user: 'bob' }).facts;
    const records = [
      ...lines([
        { ...base, refusal: 'unauthenticated', reasons: ['missing credential'], status: 401 },
        { ...base, principal: ok.principal!, refusal: 'not_found', status: 404 },
        { ...base, principal: ok.principal!, resourceName: 'llm', refusal: 'bad_request', status: 400 },
        { kind: 'outcome', time: time.toISOString(), request_id: 'r', status: 200, bytes: 1, latency_ms: 1 },
        { kind: 'policy_load', time: time.toISOString(), version: 'v', note: '"kind":"decision"' },
        ok,
      ]),
      'not json at all "kind":"decision"',
      '{"kind":"decision","policy_version":"v","action":"a","resource":"not an entity","principal":{"type":"User","id":"u","groups":[]},"decision":"allow","context":{}}',
    ];
    const report = await run(NO_BOB, records);
    assert.equal(report.records, 8);
    assert.equal(report.replayed, 1);
    assert.equal(report.changed, 1);
  });

  it('replays only the records at or after --since', async () => {
    const at = (iso: string, user: string) => decided(LIVE, { ...mini, user, time: new Date(iso) }).facts;
    const records = lines([at('2024-06-01T00:00:00Z', 'bob'), at('2024-06-02T00:00:00Z', 'bob'), at('2024-06-03T00:00:00Z', 'alice')]);
    const report = await run(NO_BOB, records, { sinceMs: Date.parse('2024-06-02T00:00:00Z') });
    assert.deepEqual([report.records, report.replayed, report.changed], [3, 2, 1]);
    assert.equal(report.examples[0]!.time, '2024-06-02T00:00:00.000Z');
  });

  it('counts a request allowed by spending an approval as the approval_required it was decided', async () => {
    const { facts, decision } = decided(LIVE, { groups: ['ml-eng'], context: { model: 'gpt-4o' } });
    assert.equal(decision.effect, 'approval_required');
    const used = { ...facts, decision: { ...decision, effect: 'allow' as const }, approvalId: 'ap-1' };
    const same = await run(LIVE, lines([used]));
    assert.deepEqual(same.transitions, [{ from: 'approval_required', to: 'approval_required', count: 1 }]);
    const noApproval = LIVE.replace('@approval("ml-leads") ', '');
    assert.deepEqual((await run(noApproval, lines([used]))).transitions, [{ from: 'approval_required', to: 'allow', count: 1 }]);
  });

  it('rebuilds the MFA state from the recorded context', async () => {
    const spec = { action: 'model.delete', resource: { type: 'Model', id: 'llm/old' } };
    const records = lines([decided(LIVE, { ...spec, mfa: true }).facts, decided(LIVE, { ...spec, mfa: false }).facts]);
    const report = await run(LIVE, records);
    assert.deepEqual(report.transitions.map((t) => [t.from, t.to, t.count]), [['allow', 'allow', 1], ['mfa_required', 'mfa_required', 1]]);
  });

  it('gives data-plane requests the configured resource attributes, and control-plane ones the resource the route used', async () => {
    const list = { action: 'model.list', resource: { type: 'Resource', id: 'llm' }, attributes: { environment: 'production' } };
    const gate = { surface: 'control' as const, action: 'model.deploy', resource: { type: 'Model', id: 'llm/v2' } };
    const admin = { surface: 'control' as const, action: 'admin.audit.read', resource: { type: 'Airlock', id: 'control-plane' } };
    const records = lines([decided('', list).facts, decided('', gate).facts, decided('', admin).facts]);
    const candidate = [
      '@id("staging-lists") permit (principal, action == Action::"model.list", resource) when { resource.environment == "staging" };',
      '@id("deploy-llm") permit (principal, action == Action::"model.deploy", resource in Resource::"llm");',
      '@id("not-as-a-resource") forbid (principal, action == Action::"admin.audit.read", resource in Resource::"control-plane");',
      '@id("audit") permit (principal, action == Action::"admin.audit.read", resource);',
    ].join('\n');
    const report = await run(candidate, records, { attributesOf: (n) => (n === 'llm' ? { environment: 'staging' } : undefined) });
    assert.deepEqual(report.examples.map((e) => [e.action, e.to, e.toPolicies]), [
      ['model.list', 'allow', ['staging-lists']],
      ['model.deploy', 'allow', ['deploy-llm']],
      ['admin.audit.read', 'allow', ['audit']],
    ]);
  });

  it('keeps at most --examples examples, taking each kind of change in turn', async () => {
    const candidate = `${LIVE}\n@id("no-bobs") forbid (principal in Group::"bobs", action, resource);\n@id("all-mallory") permit (principal == User::"mallory", action, resource);`;
    const facts = [
      ...Array.from({ length: 5 }, (_, i) => decided(LIVE, { ...mini, user: `bob${i}`, groups: ['ml-eng', 'bobs'] }).facts),
      decided(LIVE, { ...mini, user: 'mallory', groups: [] }).facts,
    ];
    const report = await run(candidate, lines(facts), { examples: 3 });
    assert.equal(report.changed, 6);
    assert.deepEqual(report.examples.map((e) => `${e.principal} ${e.from}->${e.to}`), [
      'User::"bob0" allow->deny',
      'User::"bob1" allow->deny',
      'User::"mallory" deny->allow',
    ]);
  });
});
