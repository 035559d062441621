import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runPolicyTests } from './policy-tests.js';
import { writeBundle } from './test-support.js';

const FIXTURE = fileURLToPath(new URL('./testdata/bundle', import.meta.url));


describe('policy test coverage', () => {
  it('finds every policy of the fixture bundle reached by some case', async () => {
    assert.deepEqual((await runPolicyTests(FIXTURE)).unreached, []);
  });

  it('lists, in bundle order, the policies that decide no case, even when the case passes', async () => {
    const dir = await writeBundle({
      'a.cedar': [
        '@id("users") permit (principal is User, action, resource);',
        '@id("never") permit (principal == User::"nobody", action, resource);',
        '@id("no-agents") forbid (principal is Agent, action, resource);',
        'forbid (principal, action == Action::"nuke", resource);',
      ].join('\n'),
      'b.cedar': '@id("matches-but-forbid-wins") permit (principal is Agent, action, resource);',
      'tests/a.yaml': [
        'tests:',
        '  - { name: users pass, principal: User::"u", action: x, resource: T::"r/1", expect: allow }',
        '  - { name: agents do not, principal: Agent::"bot", action: x, resource: T::"r/1", expect: deny }',
      ].join('\n'),
    });
    const report = await runPolicyTests(dir);
    assert.equal(report.failed, 0);
    assert.deepEqual(report.unreached, ['never', 'a.cedar#3', 'matches-but-forbid-wins']);
  });

  it('counts the permits behind an obligation as reached', async () => {
    const dir = await writeBundle({
      'a.cedar': '@id("needs-ok") @approval("leads") permit (principal, action, resource);',
      'tests/a.yaml': 'tests:\n  - { name: asks, principal: User::"u", action: x, resource: T::"r/1", expect: approval_required }\n',
    });
    assert.deepEqual((await runPolicyTests(dir)).unreached, []);
  });
});
