// Every example's policy bundle carries its own tests, and they pass: the walk-throughs in the docs
// quote these bundles, so a policy edited without its cases (or a case the engine now decides
// differently) fails here rather than in a reader's terminal.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { REPO, runCli } from '../support/airlock-process.js';

const EXAMPLES = path.join(REPO, 'examples');
const bundles = readdirSync(EXAMPLES)
  .map((name) => path.join(EXAMPLES, name, 'policies'))
  .filter((dir) => readdirSync(path.dirname(dir)).includes('policies'));

describe('example policy bundles', () => {
  for (const dir of bundles) {
    it(`${path.relative(REPO, dir)}: its tests pass`, async () => {
      const run = await runCli(['policy', 'test', dir]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const summary = /(\d+) passed, (\d+) failed/.exec(run.stdout);
      assert.ok(summary, run.stdout);
      assert.ok(Number(summary[1]) > 0, `${dir} has no test cases`);
      assert.equal(summary[2], '0');
    });
  }
});
