// The access map from audit records alone: edges, runs, lineage through registrations, approvals
// that were used, attestations, cycles refused, and a rebuild that gives the same map.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openSqliteStore } from '../store/sqlite/index.js';
import { AccessMap } from './access-map.js';
import { lineageContext } from './lineage-context.js';
import { lineageOf } from './lineage.js';

const agent = { type: 'Agent', id: 'trainer', groups: [] };
const decision = (i: number, action: string, resource: string, extra: Record<string, unknown> = {}) => ({
  kind: 'decision',
  time: new Date(Date.UTC(2030, 0, 1, 0, i)).toISOString(),
  request_id: `r${i}`,
  principal: agent,
  action,
  resource,
  decision: 'allow',
  ...extra,
});

async function mapWith(records: Record<string, unknown>[]) {
  const store = openSqliteStore(':memory:');
  await store.audit.appendAudit(records.map((r) => ({ kind: String(r.kind), ...r })));
  const map = new AccessMap(store.audit);
  await map.catchUp();
  return { store, map };
}

describe('access map', () => {
  it('ties a registered model to the datasets its run read, with their sensitivities', async () => {
    const { store, map } = await mapWith([
      decision(1, 'dataset.read', 'Dataset::"s3/train/public/a.csv"', { run_id: 'run-7', resource_attributes: { sensitivity: 'public' } }),
      decision(2, 'dataset.read', 'Dataset::"s3/train/pii/b.csv"', { run_id: 'run-7', resource_attributes: { sensitivity: 'pii' } }),
      decision(3, 'dataset.read', 'Dataset::"s3/train/pii/other.csv"', { decision: 'denied', run_id: 'run-7' }),
      decision(4, 'model.register', 'Model::"fraud/v3"', { run_id: 'run-7', decision: 'approval_required', request_id: 'g1' }),
      { kind: 'approval_used', time: '2030-01-01T00:05:00.000Z', approval_id: 'a1', request_id: 'g0', used_by_request_id: 'g1' },
      decision(6, 'model.invoke', 'Model::"llm/gpt-4o"'),
    ]);
    const l = lineageOf(map.graph, 'Model::"fraud/v3"');
    assert.deepEqual(l.runs, ['Run::"run-7"']);
    assert.deepEqual(l.datasets, ['Dataset::"s3/train/pii/b.csv"', 'Dataset::"s3/train/public/a.csv"'], 'a refused read is no lineage');
    assert.deepEqual(l.sensitivities, ['pii', 'public']);
    const view = map.graph.view({ principal: 'Agent::"trainer"' });
    assert.ok(view.edges.some((e) => e.from === 'Agent::"trainer"' && e.to === 'Model::"llm/gpt-4o"' && e.count === 1));
    assert.ok(view.edges.some((e) => e.from === 'Agent::"trainer"' && e.to === 'Run::"run-7"' && e.action === 'run'));
    assert.equal(map.graph.view({ since: '2030-01-01T02:00:00.000Z' }).edges.length, 0, 'nothing in a later window');
    const before = JSON.stringify(map.graph.view());
    await map.rebuild();
    assert.equal(JSON.stringify(map.graph.view()), before, 'a rebuild gives the same map');
    await store.close();
  });

  it('refuses to register a model from a run that already used it, and carries attestations', async () => {
    const { store, map } = await mapWith([
      decision(1, 'model.register', 'Model::"m/v1"', { run_id: 'run-1' }),
      decision(2, 'model.invoke', 'Model::"m/v1"', { run_id: 'run-2' }),
      { kind: 'attestation', time: '2030-01-01T01:00:00.000Z', subject: 'Model::"m/v1"', predicate: 'privacy-review', result: 'fail', envelope: { payloadType: 'x', payload: '', signatures: [] } },
      { kind: 'attestation', time: '2030-01-01T02:00:00.000Z', subject: 'Model::"m/v1"', predicate: 'privacy-review', result: 'pass', envelope: { payloadType: 'x', payload: '', signatures: [] } },
    ]);
    await assert.rejects(lineageContext(map, 'model.register', 'Model::"m/v1"', 'run-2'), /lineage cycle/);
    const ctx = await lineageContext(map, 'model.deploy', 'Model::"m/v1"', undefined);
    assert.deepEqual(ctx.attestations, { 'privacy-review': 'pass' }, 'the latest result counts');
    await store.close();
  });
});
