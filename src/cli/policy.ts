// CLI: `airlock policy validate|test [dir]`, the policy author's loop before a bundle ships.
// Both set a non-zero exit code on any problem so they can gate a CI pipeline.
import type { Command } from 'commander';
import { loadBundle, loadPolicyTests, runPolicyTests } from '../decide/index.js';
import { AirlockError } from '../lib/errors.js';

const DEFAULT_DIR = './policies';

export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('check and test a policy bundle');

  policy
    .command('validate')
    .description('parse the bundle, validate it against its schema, check its tests are well-formed')
    .argument('[dir]', 'policy bundle directory', DEFAULT_DIR)
    .action(async (dir: string) => {
      try {
        const bundle = await loadBundle(dir);
        await loadPolicyTests(bundle);
        console.log(`ok: ${bundle.policies.length} policies, version ${bundle.version.slice(0, 12)}`);
      } catch (e) {
        printProblems(e);
        process.exitCode = 1;
      }
    });

  policy
    .command('test')
    .description('run the bundle\'s tests/*.yaml cases; ends with "N passed, N failed"')
    .argument('[dir]', 'policy bundle directory', DEFAULT_DIR)
    .action(async (dir: string) => {
      try {
        const report = await runPolicyTests(dir);
        for (const r of report.results) {
          if (r.passed) console.log(`PASS ${r.name}`);
          else console.log(`FAIL ${r.name}: expected ${r.expected}, got ${r.actual} (policies: ${r.policies.join(', ') || 'none'})`);
        }
        console.log(`${report.passed} passed, ${report.failed} failed`);
        if (report.failed > 0) process.exitCode = 1;
      } catch (e) {
        printProblems(e);
        console.log('0 passed, 0 failed');
        process.exitCode = 1;
      }
    });
}

function printProblems(e: unknown): void {
  const problems = e instanceof AirlockError ? e.details['problems'] : undefined;
  if (Array.isArray(problems) && problems.length > 0) for (const p of problems) console.error(String(p));
  else console.error(e instanceof Error ? e.message : String(e));
}
