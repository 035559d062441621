import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runPolicyTests } from './policy-tests.js';
import { junitLoadError, junitXml } from './policy-tests-junit.js';
import { writeBundle } from './test-support.js';

const FIXTURE = fileURLToPath(new URL('./testdata/bundle', import.meta.url));


interface El {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: El[];
  text: string;
}

/** A strict reader for the XML subset JUnit files use; throws on anything not well-formed. */
function parseXml(xml: string): El {
  if (/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(xml)) throw new Error('a character XML cannot hold');
  const decode = (s: string, where: string) => {
    if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(s)) throw new Error(`bare & in ${where}`);
    return s.replace(/&(amp|lt|gt|quot|apos|#\d+);/g, (_, e: string) =>
      e[0] === '#' ? String.fromCodePoint(Number(e.slice(1))) : ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e]!,
    );
  };
  const token = /<!--((?:(?!--)[\s\S])*[^-])?-->|<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>|([^<]+)/y;
  const body = xml.replace(/^<\?xml [^?]*\?>\n/, '');
  const root: El = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  token.lastIndex = 0;
  while (token.lastIndex < body.length) {
    const at = token.lastIndex;
    const m = token.exec(body);
    if (!m) throw new Error(`not well-formed at ${at}: ${body.slice(at, at + 40)}`);
    const top = stack[stack.length - 1]!;
    if (m[6] !== undefined) top.text += decode(m[6], 'text');
    else if (m[3] && m[2]) {
      if (top.name !== m[3]) throw new Error(`</${m[3]}> closes <${top.name}>`);
      stack.pop();
    } else if (m[3]) {
      const attrs: Record<string, string> = {};
      for (const a of m[4]!.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) attrs[a[1]!] = decode(a[2]!, 'attribute');
      const el: El = { name: m[3], attrs, children: [], text: '' };
      top.children.push(el);
      if (!m[5]) stack.push(el);
    }
  }
  if (stack.length !== 1 || root.children.length !== 1 || root.text.trim()) throw new Error('not exactly one closed root element');
  return root.children[0]!;
}

describe('policy tests as JUnit XML', () => {
  it('writes one testsuite per YAML file and one testcase per case', async () => {
    const doc = parseXml(junitXml(await runPolicyTests(FIXTURE)));
    assert.equal(doc.name, 'testsuites');
    assert.deepEqual(doc.attrs, { name: 'airlock policy tests', tests: '10', failures: '0', errors: '0' });
    assert.deepEqual(doc.children.map((s) => [s.attrs['name'], s.attrs['tests'], s.children.length]), [
      ['tests/http.yaml', '5', 5],
      ['tests/models.yaml', '5', 5],
    ]);
    assert.equal(doc.children[1]!.children[1]!.attrs['name'], 'gpt-4o needs two ml-leads');
    assert.equal(doc.children[1]!.children[1]!.attrs['classname'], 'tests.models');
  });

  it('reports a failing case with a failure element, and escapes names, messages and details', async () => {
    const nasty = `quotes " and ' & <tags> ]]> -- tab\there`;
    const dir = await writeBundle({
      'a.cedar': '@id("<no> & \\"agents\\"") forbid (principal is Agent, action, resource);\npermit (principal, action, resource);',
      'tests/a.yaml': `tests:\n  - { name: ${JSON.stringify(nasty)}, principal: Agent::"bot", action: x, resource: T::"r/1", expect: allow }\n`,
      'tests/empty.yaml': 'tests: []\n',
    });
    const xml = junitXml(await runPolicyTests(dir));
    const doc = parseXml(xml);
    assert.equal(doc.attrs['failures'], '1');
    const [suite, empty] = doc.children;
    assert.deepEqual([suite!.attrs['failures'], empty!.attrs['name'], empty!.attrs['tests']], ['1', 'tests/empty.yaml', '0']);
    const testcase = suite!.children[0]!;
    assert.equal(testcase.attrs['name'], nasty, 'the name survives a round trip, tab included');
    const failure = testcase.children[0]!;
    assert.equal(failure.name, 'failure');
    assert.equal(failure.attrs['message'], 'expected allow, got deny');
    assert.match(failure.text, /policies: <no> & "agents"/);
  });

  it('replaces characters XML cannot hold', async () => {
    const report = { version: 'v', policyCount: 0, files: ['t.yaml'], unreached: ['a--b-'], passed: 0, failed: 1, results: [
      { file: 't.yaml', name: 'bell \u0007 and \uD800 lone', expected: 'allow' as const, actual: 'deny' as const, passed: false, policies: [], reasons: ['nul \u0000'] },
    ] };
    const doc = parseXml(junitXml(report));
    assert.equal(doc.children[0]!.children[0]!.attrs['name'], 'bell \uFFFD and \uFFFD lone');
  });

  it('turns a bundle that cannot load into erroring cases, one per problem', () => {
    const doc = parseXml(junitLoadError('policies', ['a.cedar:1:5: unexpected token "<"', 'b & c']));
    assert.deepEqual([doc.attrs['errors'], doc.children[0]!.children.length], ['2', 2]);
    assert.equal(doc.children[0]!.children[1]!.children[0]!.attrs['message'], 'b & c');
  });
});
