// CLI: `airlock policy validate|test|replay|shadow-report`, the policy author's loop before and
// while a bundle ships. Each sets a non-zero exit code on any problem so it can gate a CI
// pipeline: test (1 on a failing case), replay (1 with --fail-on-change when a decision would
// change; 2 for usage errors and invalid bundles).
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createEngine, loadBundle, loadPolicyTests, runPolicyTests } from '../decide/index.js';
import { junitLoadError, junitXml } from '../decide/policy-tests-junit.js';
import { AirlockError } from '../lib/errors.js';
import type { CedarRecord } from '../model/entity.js';
import { auditLines } from '../policy/audit-source.js';
import { changeList, fmt, renderChangeReport } from '../policy/change-report-text.js';
import { replay } from '../policy/replay.js';
import { shadowReport } from '../policy/shadow-report.js';
import { parseDuration, withConfigOption, withStore } from './shared.js';

const DEFAULT_DIR = './policies';
/** Large enough that a week of a busy log mostly hits: replay decides the same requests again and again. */
const REPLAY_CACHE = 100_000;

interface WindowOptions {
  config: string;
  since?: string;
  examples: string;
  json?: boolean;
}

export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('check, test, replay and shadow a policy bundle');

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
    .description('run the bundle\'s tests/*.yaml cases, list the policies no case reaches; ends with "N passed, N failed"')
    .argument('[dir]', 'policy bundle directory', DEFAULT_DIR)
    .option('--junit <file>', 'also write the results as JUnit XML (one testsuite per YAML file)')
    .action(async (dir: string, opts: { junit?: string }) => {
      try {
        const report = await runPolicyTests(dir);
        for (const r of report.results) {
          if (r.passed) console.log(`PASS ${r.name}`);
          else console.log(`FAIL ${r.name}: expected ${r.expected}, got ${r.actual} (policies: ${r.policies.join(', ') || 'none'})`);
        }
        if (report.unreached.length === 0) console.log(`every policy (${report.policyCount}) decides at least one case`);
        else console.log(`unreached policies (${report.unreached.length} of ${report.policyCount}, no case is decided by them): ${report.unreached.join(', ')}`);
        if (report.failed > 0) process.exitCode = 1;
        if (opts.junit) {
          await writeFile(opts.junit, junitXml(report)).catch((e: unknown) => {
            console.error(`--junit: cannot write ${opts.junit}: ${(e as Error).message}`);
            process.exitCode = 1;
          });
        }
        console.log(`${report.passed} passed, ${report.failed} failed`);
      } catch (e) {
        printProblems(e);
        if (opts.junit) await writeFile(opts.junit, junitLoadError(dir, problemsOf(e))).catch(() => undefined);
        console.log('0 passed, 0 failed');
        process.exitCode = 1;
      }
    });

  windowOptions(withConfigOption(policy.command('replay')))
    .description('decide the requests recorded in the audit log again with a candidate bundle; report what would change')
    .requiredOption('--bundle <dir>', 'the candidate policy bundle')
    .option('--fail-on-change', 'exit 1 when any decision would change')
    .action(async (opts: WindowOptions & { bundle: string; failOnChange?: boolean }) => {
      const window = parseWindow(opts);
      if (!window) return;
      let bundle;
      try {
        bundle = await loadBundle(opts.bundle);
      } catch (e) {
        printProblems(e);
        process.exitCode = 2;
        return;
      }
      const engine = createEngine(bundle, { cacheSize: REPLAY_CACHE });
      await withStore(opts.config, async (store, loaded) => {
        const attributes = new Map(loaded.config.resources.map((r) => [r.name, r.attributes as CedarRecord]));
        const report = await replay(auditLines(store.audit, window), { engine, attributesOf: (n) => attributes.get(n), ...window });
        if (opts.json) console.log(JSON.stringify(report, null, 2));
        else {
          // A rate over a few milliseconds says nothing; over a real log it tells whether CI can afford it.
          const rate = report.seconds >= 0.25 ? `, ${fmt(Math.round(report.records / report.seconds))} records/s` : '';
          const head = `replayed ${fmt(report.replayed)} decisions of ${fmt(report.records)} records${since(window)} with bundle ${bundle.version.slice(0, 12)}`;
          const what = report.changed === 0 ? 'no decision would change' : `${fmt(report.changed)} would change (${changeList(report.transitions)})`;
          const lines = renderChangeReport({ ...report, before: 'RECORDED', after: 'CANDIDATE', summary: `${head}: ${what} [${report.seconds.toFixed(2)} s${rate}]` });
          console.log(lines.join('\n'));
        }
        if (report.changed > 0 && opts.failOnChange) process.exitCode = 1;
      });
      engine.dispose();
    });

  windowOptions(withConfigOption(policy.command('shadow-report')))
    .description('list the decisions where the shadow bundle (policy.shadow_dir) disagreed with the live one')
    .action(async (opts: WindowOptions) => {
      const window = parseWindow(opts);
      if (!window) return;
      await withStore(opts.config, async (store) => {
        const report = await shadowReport(auditLines(store.audit, window), window);
        if (opts.json) return void console.log(JSON.stringify(report, null, 2));
        const versions = Object.keys(report.shadowVersions).map((v) => v.slice(0, 12)).join(', ');
        const summary = report.disagreements === 0
          ? `no shadow disagreements in ${fmt(report.decisions)} decisions${since(window)}`
          : `${fmt(report.disagreements)} of ${fmt(report.decisions)} decisions${since(window)} had a shadow disagreement (${changeList(report.transitions)}; shadow bundle ${versions})`;
        console.log(renderChangeReport({ ...report, changed: report.disagreements, before: 'LIVE', after: 'SHADOW', summary }).join('\n'));
      });
    });
}

function windowOptions(cmd: Command): Command {
  return cmd
    .option('--since <duration>', 'only records from this long ago (30d, 24h, 15m); default: the whole log')
    .option('--examples <n>', 'how many examples to show', '20')
    .option('--json', 'print the report as JSON (for CI tooling)');
}

/** The time window and example count, or undefined after a usage error (exit 2). */
function parseWindow(opts: WindowOptions): { sinceMs?: number; examples: number } | undefined {
  const examples = Number(opts.examples);
  try {
    if (!Number.isSafeInteger(examples) || examples < 0) throw new AirlockError('bad_request', `--examples: "${opts.examples}" is not a whole number`);
    return { examples, ...(opts.since ? { sinceMs: Date.now() - parseDuration(opts.since) } : {}) };
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 2;
    return undefined;
  }
}

const since = (w: { sinceMs?: number }) => (w.sinceMs === undefined ? '' : ` since ${new Date(w.sinceMs).toISOString()}`);

function problemsOf(e: unknown): string[] {
  const problems = e instanceof AirlockError ? e.details['problems'] : undefined;
  if (Array.isArray(problems) && problems.length > 0) return problems.map(String);
  return [e instanceof Error ? e.message : String(e)];
}

function printProblems(e: unknown): void {
  for (const p of problemsOf(e)) console.error(p);
}
