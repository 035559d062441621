import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AirlockError } from '../lib/errors.js';
import { runPolicyTests } from './policy-tests.js';
import { writeBundle } from './test-support.js';

const FIXTURE = fileURLToPath(new URL('./testdata/bundle', import.meta.url));


describe('runPolicyTests', () => {
  it('passes every case of the fixture bundle, covering all four decisions', async () => {
    const report = await runPolicyTests(FIXTURE);
    assert.deepEqual([report.passed, report.failed], [10, 0]);
    assert.deepEqual(new Set(report.results.map((r) => r.actual)), new Set(['allow', 'deny', 'approval_required', 'mfa_required']));
    const big = report.results.find((r) => r.name === 'gpt-4o needs two ml-leads');
    assert.deepEqual(big?.policies, ['ml-invoke-big']);
  });

  it('reports a failing case with what was expected, what happened and which policies decided', async () => {
    const dir = await writeBundle({
      'a.cedar': '@id("no-agents")\nforbid (principal is Agent, action, resource);\npermit (principal, action, resource);',
      'tests/a.yaml': [
        'tests:',
        '  - { name: users pass, principal: User::"u", action: x, resource: Thing::"r/1", expect: allow }',
        '  - { name: agents pass, principal: Agent::"bot", action: x, resource: Thing::"r/1", expect: allow }',
      ].join('\n'),
    });
    const report = await runPolicyTests(dir);
    assert.deepEqual([report.passed, report.failed], [1, 1]);
    assert.deepEqual(report.results[1], {
      file: 'tests/a.yaml', name: 'agents pass', expected: 'allow', actual: 'deny', passed: false,
      policies: ['no-agents'], reasons: ['forbidden by no-agents'],
    });
  });

  it('uses the first path segment as the resource container unless resource_parent says otherwise', async () => {
    const dir = await writeBundle({
      'a.cedar': 'permit (principal, action, resource in Resource::"llm") when { context.source_ip.isInRange(ip("10.0.0.0/8")) };',
      'tests/a.yaml': [
        'tests:',
        '  - { name: by path, principal: User::"u", action: x, resource: Model::"llm/m", context: { source_ip: 10.0.0.1 }, expect: allow }',
        '  - { name: by parent, principal: User::"u", action: x, resource: Model::"m", resource_parent: Resource::"llm", context: { source_ip: 10.0.0.1 }, expect: allow }',
        '  - { name: default ip, principal: User::"u", action: x, resource: Model::"llm/m", expect: deny }',
      ].join('\n'),
    });
    assert.equal((await runPolicyTests(dir)).failed, 0);
  });

  it('refuses a malformed test file, naming the file, case and key', async () => {
    const dir = await writeBundle({
      'a.cedar': 'permit (principal, action, resource);',
      'tests/a.yaml': 'tests:\n  - { name: x, principal: User::"u", action: x, resource: T::"r", expect: allow }\n  - { name: y, principal: Group::"g", action: x, resource: T::"r", expect: maybe }\n',
    });
    await assert.rejects(runPolicyTests(dir), (e: unknown) => {
      assert.ok(e instanceof AirlockError && e.code === 'policy_invalid');
      const problems = e.details['problems'] as string[];
      assert.match(problems[0]!, /tests\/a\.yaml: tests\[1\]\.principal: expected a User or Agent or K8sUser entity/);
      assert.match(problems[1]!, /tests\/a\.yaml: tests\[1\]\.expect: /);
      return true;
    });
  });
});
