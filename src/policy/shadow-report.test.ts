import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Decision } from '../model/decision.js';
import { shadowReport } from './shadow-report.js';
import { decided, lines } from './test-records.js';

const LIVE = '@id("mini") permit (principal in Group::"ml-eng", action, resource) when { context.model == "gpt-4o-mini" };';

function withShadow(spec: Parameters<typeof decided>[1], shadow?: Decision['shadow']) {
  const { facts, decision } = decided(LIVE, spec);
  return { ...facts, decision: { ...decision, ...(shadow ? { shadow } : {}) } };
}

describe('policy shadow-report', () => {
  it('counts the recorded disagreements by (live -> shadow) and lists examples', async () => {
    const mini = { groups: ['ml-eng'], context: { model: 'gpt-4o-mini' } };
    const records = lines([
      withShadow({ ...mini, user: 'bob' }, { effect: 'deny', policies: ['no-bob'], policyVersion: 'v2' }),
      withShadow({ ...mini, user: 'bob' }, { effect: 'deny', policies: ['no-bob'], policyVersion: 'v2' }),
      withShadow({ ...mini, user: 'alice' }),
      withShadow({ user: 'eve' }, { effect: 'approval_required', policies: ['all-with-approval'], policyVersion: 'v2' }),
      { kind: 'outcome', time: '2024-06-03T12:00:00.000Z', request_id: 'r', status: 200 },
    ]);
    const report = await shadowReport(records);
    assert.deepEqual([report.records, report.decisions, report.disagreements], [5, 4, 3]);
    assert.deepEqual(report.transitions, [
      { from: 'allow', to: 'deny', count: 2 },
      { from: 'deny', to: 'approval_required', count: 1 },
    ]);
    assert.deepEqual(report.shadowVersions, { v2: 3 });
    assert.deepEqual(report.examples.map((e) => [e.principal, e.fromPolicies, e.toPolicies]), [
      ['User::"bob"', ['mini'], ['no-bob']],
      ['User::"eve"', [], ['all-with-approval']],
    ]);
  });

  it('honours --since and --examples', async () => {
    const at = (iso: string) => withShadow({ user: `u${iso}`, time: new Date(iso) }, { effect: 'allow', policies: ['x'], policyVersion: 'v2' });
    const records = lines([at('2024-06-01T00:00:00Z'), at('2024-06-02T00:00:00Z'), at('2024-06-03T00:00:00Z')]);
    const report = await shadowReport(records, { sinceMs: Date.parse('2024-06-02T00:00:00Z'), examples: 1 });
    assert.deepEqual([report.decisions, report.disagreements, report.examples.length], [2, 2, 1]);
  });
});
