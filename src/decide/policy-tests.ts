// Decide stage, policy tests: runs a bundle's `tests/*.yaml` cases through the same engine
// the gateway uses, so a passing test means the gateway decides that way.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AirlockError } from '../lib/errors.js';
import type { Effect } from '../model/decision.js';
import { loadBundle } from './bundle.js';
import { createEngine } from './engine.js';
import { parseTestFile, type PolicyTestCase } from './policy-test-cases.js';
import type { PolicyBundle } from './types.js';

export interface PolicyTestResult {
  readonly file: string;
  readonly name: string;
  readonly expected: Effect;
  readonly actual: Effect;
  readonly passed: boolean;
  readonly policies: readonly string[];
  readonly reasons: readonly string[];
}

export interface PolicyTestReport {
  readonly version: string;
  readonly policyCount: number;
  /** The test files (relative to the bundle), even those without a case. */
  readonly files: readonly string[];
  readonly results: readonly PolicyTestResult[];
  /**
   * Ids of the policies that decide no case (among no case's determining policies), in bundle
   * order. Such a policy could be deleted or broken without any test noticing.
   */
  readonly unreached: readonly string[];
  readonly passed: number;
  readonly failed: number;
}

/** Reads every test file of a loaded bundle; throws `policy_invalid` naming each bad case. */
export async function loadPolicyTests(bundle: PolicyBundle): Promise<PolicyTestCase[]> {
  const problems: string[] = [];
  const cases: PolicyTestCase[] = [];
  for (const file of bundle.tests) {
    const shown = join(bundle.dir, file);
    const text = await readFile(shown, 'utf8');
    cases.push(...parseTestFile(file, shown, text, problems));
  }
  if (problems.length > 0) {
    throw new AirlockError('policy_invalid', `policy tests in ${bundle.dir} are invalid: ${problems[0]}`, { problems });
  }
  return cases;
}

/** Loads the bundle in `dir` and runs its tests; throws `policy_invalid` if either is malformed. */
export async function runPolicyTests(dir: string): Promise<PolicyTestReport> {
  const bundle = await loadBundle(dir);
  const cases = await loadPolicyTests(bundle);
  const engine = createEngine(bundle, { cacheSize: 0 });
  try {
    const results = cases.map((c): PolicyTestResult => {
      const d = engine.decide(c.input);
      return {
        file: c.file, name: c.name, expected: c.expect, actual: d.effect, passed: d.effect === c.expect,
        policies: d.policies, reasons: d.reasons,
      };
    });
    const passed = results.filter((r) => r.passed).length;
    const reached = new Set(results.flatMap((r) => r.policies));
    return {
      version: bundle.version, policyCount: bundle.policies.length, files: bundle.tests, results,
      unreached: bundle.policyIds.filter((id) => !reached.has(id)), passed, failed: results.length - passed,
    };
  } finally {
    engine.dispose();
  }
}
