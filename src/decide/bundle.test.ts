import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AirlockError } from '../lib/errors.js';
import { bundleFromFiles, bundleSummary, loadBundle } from './bundle.js';
import { writeBundle } from './test-support.js';

const FIXTURE = fileURLToPath(new URL('./testdata/bundle', import.meta.url));
const ALL = 'permit (principal, action, resource);\n';


function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AirlockError && e.code === 'policy_invalid', String(e));
    return e.details['problems'] as string[];
  }
  assert.fail('expected policy_invalid');
}

async function loadProblems(dir: string): Promise<string[]> {
  try {
    await loadBundle(dir);
  } catch (e) {
    assert.ok(e instanceof AirlockError && e.code === 'policy_invalid', String(e));
    return e.details['problems'] as string[];
  }
  assert.fail('expected policy_invalid');
}

describe('loadBundle', () => {
  it('loads the fixture bundle with its schema, entities and tests', async () => {
    const b = await loadBundle(FIXTURE);
    assert.deepEqual(b.policyIds, ['http.cedar#0', 'http.cedar#1', 'http.cedar#2', 'ml-invoke-mini', 'ml-invoke-big', 'agents-not-at-night']);
    assert.deepEqual(b.tests, ['tests/http.yaml', 'tests/models.yaml']);
    assert.ok(b.schema);
    assert.deepEqual(b.actionParents.get('http.read'), ['http.all']);
    assert.match(b.version, /^[0-9a-f]{64}$/);
    assert.deepEqual(bundleSummary(b).policies[3], { id: 'ml-invoke-mini', file: 'models.cedar', digest: b.policies[3]!.digest });
  });

  it('changes version when any file changes, tests included', async () => {
    const dir = await writeBundle({ 'a.cedar': ALL, 'tests/a.yaml': 'tests: []\n' });
    const v1 = (await loadBundle(dir)).version;
    assert.equal((await loadBundle(dir)).version, v1);
    await writeFile(join(dir, 'tests/a.yaml'), 'tests: [] # changed\n');
    const v2 = (await loadBundle(dir)).version;
    assert.notEqual(v2, v1);
    await writeFile(join(dir, 'a.cedar'), `${ALL}\n`);
    assert.notEqual((await loadBundle(dir)).version, v2);
  });

  it('does not let bytes move between files without changing version', () => {
    const a = bundleFromFiles({ 'a.cedar': ALL + '//x', 'b.cedar': ALL });
    const b = bundleFromFiles({ 'a.cedar': ALL, 'b.cedar': '//x' + ALL });
    assert.notEqual(a.version, b.version);
  });

  it('names policies by @id, else by file and position counted from 0', () => {
    const many = Array.from({ length: 12 }, (_, i) => `permit (principal == User::"u${i}", action, resource);`).join('\n');
    const b = bundleFromFiles({ 'x.cedar': `${many}\n@id("last")\n${ALL}` });
    assert.deepEqual(b.policyIds, [...Array.from({ length: 12 }, (_, i) => `x.cedar#${i}`), 'last']);
    assert.match(b.policies[10]!.text, /User::"u10"/);
    assert.equal(b.policies[12]!.index, 12);
  });

  it('refuses duplicate ids across files', () => {
    const problems = problemsOf(() => bundleFromFiles({ 'a.cedar': `@id("p")\n${ALL}`, 'b.cedar': `@id("p")\n${ALL}` }, 'pol'));
    assert.deepEqual(problems, ['pol/b.cedar: duplicate policy id "p" (also a.cedar#0)']);
  });

  it('reports a parse error with file, line and column', () => {
    const problems = problemsOf(() => bundleFromFiles({ 'models.cedar': `${ALL}\npermit (principal, action, resource)\n  when { é + };\n` }, 'policies'));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^policies\/models\.cedar:4:\d+: /);
  });

  it('reports schema validation errors with file, line, column and our policy id', async () => {
    const dir = await writeBundle({
      'schema.cedarschema': 'entity User; entity Model; action "model.invoke" appliesTo { principal: User, resource: Model, context: { model: String } };',
      'models.cedar': `@id("ok")\n${ALL}@id("typo")\npermit (principal, action == Action::"model.invoke", resource)\n    when { context.modle == "x" };\n`,
    });
    const problems = await loadProblems(dir);
    assert.equal(problems.length, 1);
    assert.ok(problems[0]!.startsWith(`${join(dir, 'models.cedar')}:5:12: for policy \`typo\``), problems[0]);
  });

  it('reports a broken schema with its own line and column', async () => {
    const problems = await loadProblems(await writeBundle({ 'schema.cedarschema': 'entity User;\nentity M { x: Strin };', 'a.cedar': ALL }));
    assert.match(problems[0]!, /schema\.cedarschema:2:\d+: /);
  });

  it('refuses malformed obligations', () => {
    const problems = problemsOf(() =>
      bundleFromFiles({ 'a.cedar': `@approval("leads")\n@quorum("abc")\n${ALL}@mfa("maybe")\n${ALL}@approval("x")\nforbid (principal, action, resource);` }),
    );
    assert.equal(problems.length, 3);
    assert.match(problems[0]!, /a\.cedar:1:1: policy a\.cedar#0: @quorum\("abc"\)/);
    assert.match(problems[1]!, /a\.cedar:4:1: .*@mfa\("maybe"\)/);
    assert.match(problems[2]!, /forbid policy has no effect/);
  });

  it('refuses malformed entities.json with the key path', () => {
    const problems = problemsOf(() => bundleFromFiles({ 'a.cedar': ALL, 'entities.json': '[{"uid": {"type": "Group"}, "parents": []}]' }));
    assert.match(problems[0]!, /entities\.json: \[0\]\.uid/);
  });

  it('refuses a missing directory as policy_invalid', async () => {
    const problems = await loadProblems('/nonexistent/airlock-policies');
    assert.match(problems[0]!, /cannot read the policy bundle/);
  });

  it('accepts an empty bundle, which denies everything', () => {
    assert.equal(bundleFromFiles({}).policies.length, 0);
  });
});
