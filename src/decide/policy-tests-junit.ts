// Decide stage, policy tests: the report as JUnit XML for CI systems (GitHub, GitLab, Jenkins).
// One <testsuite> per tests/*.yaml file, one <testcase> per case, a <failure> for each case
// that decided otherwise. Test names and reasons are user text: everything is escaped, and
// characters XML 1.0 cannot hold at all are replaced, so the file always parses.
import type { PolicyTestReport, PolicyTestResult } from './policy-tests.js';

const SUITES_NAME = 'airlock policy tests';

export function junitXml(report: PolicyTestReport): string {
  const byFile = new Map<string, PolicyTestResult[]>(report.files.map((f) => [f, []]));
  for (const r of report.results) {
    if (!byFile.has(r.file)) byFile.set(r.file, []);
    byFile.get(r.file)!.push(r);
  }
  const suites = [...byFile].map(([file, results]) => {
    const failures = results.filter((r) => !r.passed).length;
    const cases = results.map((r) => {
      const open = `    <testcase name="${attr(r.name)}" classname="${attr(classname(file))}"`;
      if (r.passed) return `${open}/>`;
      const message = `expected ${r.expected}, got ${r.actual}`;
      const detail = [`policies: ${r.policies.join(', ') || 'none'}`, ...r.reasons.map((x) => `reason: ${x}`)].join('\n');
      return `${open}>\n      <failure message="${attr(message)}" type="decision">${text(detail)}</failure>\n    </testcase>`;
    });
    return [
      `  <testsuite name="${attr(file)}" tests="${results.length}" failures="${failures}" errors="0" skipped="0">`,
      ...cases,
      '  </testsuite>',
    ].join('\n');
  });
  const note = report.unreached.length
    ? `  <!-- policies no case reaches: ${comment(report.unreached.join(', '))} -->\n`
    : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="${SUITES_NAME}" tests="${report.results.length}" failures="${report.failed}" errors="0">\n` +
    note +
    suites.map((s) => `${s}\n`).join('') +
    `</testsuites>\n`
  );
}

/** The bundle or its tests could not be loaded: one suite with one erroring case per problem. */
export function junitLoadError(dir: string, problems: readonly string[]): string {
  const cases = problems.map(
    (p, i) => `    <testcase name="problem ${i + 1}" classname="bundle"><error message="${attr(p)}" type="policy_invalid"/></testcase>`,
  );
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="${SUITES_NAME}" tests="${problems.length}" failures="0" errors="${problems.length}">\n` +
    `  <testsuite name="${attr(dir)}" tests="${problems.length}" failures="0" errors="${problems.length}" skipped="0">\n` +
    cases.map((c) => `${c}\n`).join('') +
    `  </testsuite>\n</testsuites>\n`
  );
}

/** `tests/models.yaml` -> `tests.models`: how most CI systems group a class name. */
function classname(file: string): string {
  return file.replace(/\.ya?ml$/i, '').replace(/[\\/]/g, '.');
}

// Tab, newline, carriage return and the ranges below are all XML 1.0 allows; lone surrogates
// are not characters at all.
const INVALID = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function text(s: string): string {
  return s.replace(INVALID, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values also keep their line breaks and tabs (which a parser would normalise away). */
export function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

/** `--` may not appear in a comment, nor may it end with `-`. */
function comment(s: string): string {
  return s.replace(INVALID, '\uFFFD').replace(/-(?=-)/g, '- ').replace(/-$/, '- ');
}
