// The BundleStore contract: replicas converge on one active policy bundle. Activation records the
// bundle once per version, can go back to an older one, and, given the version the caller last
// saw, refuses (changing nothing) when another replica got there first.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe } from 'node:test';
import { T, iso, type StoreTest } from './harness.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

const bundle = (tag: string, files: Record<string, string> = { 'main.cedar': `// ${tag}\npermit(principal, action, resource);\n` }) => ({
  version: sha(tag),
  files,
  source: `replica test:1 from ./${tag}`,
});

/** Contents that a lossy encoding would change: multi-byte and astral characters, line endings, escapes. */
const awkward: Record<string, string> = {
  'policies/main.cedar': 'permit(principal, action == Action::"model.invoke", resource)\nwhen { context.note == "ü ✓ 🙂" };\n',
  'policies/windows.cedar': 'forbid(principal, action, resource);\r\n// crlf\r\n',
  'tests/cases.yaml': '- note: "quotes \\" and \\\\ backslashes"\n  want_result: deny\n\n\n',
  'schema/Ünïcödé näme.json': '{\n\t"tab": "\\t",\n  "zero": "\\u0000"\n}',
  'empty.cedar': '',
  'no-newline.cedar': 'forbid(principal, action, resource);',
};

export function bundlesContract(test: StoreTest): void {
  describe('bundles', () => {
    test('has no active bundle and knows no version before the first activation', async (s) => {
      assert.equal(await s.bundles.activeBundle(), undefined);
      assert.equal(await s.bundles.activeBundleVersion(), undefined);
      assert.equal(await s.bundles.knownBundleVersion(sha('a')), false);
    });

    test('activates a bundle that every replica reads back exactly', async (s, r) => {
      const b = bundle('awkward', awkward);
      assert.equal(await s.bundles.activateBundle(b, T), true);
      const expected = { version: b.version, files: awkward, activated_at: iso(T), source: b.source };
      assert.deepEqual(await s.bundles.activeBundle(), expected);
      assert.deepEqual(await r.bundles.activeBundle(), expected);
      assert.equal(await r.bundles.activeBundleVersion(), b.version);
      assert.deepEqual(Object.keys((await r.bundles.activeBundle())!.files).sort(), Object.keys(awkward).sort());
    });

    test('re-activates an older version, as of the re-activation', async (s) => {
      const a = bundle('a');
      const b = bundle('b');
      await s.bundles.activateBundle(a, T);
      await s.bundles.activateBundle(b, T + 1000);
      assert.equal(await s.bundles.activeBundleVersion(), b.version);
      assert.equal(await s.bundles.activateBundle({ ...a, source: 'rollback by ops' }, T + 2000), true);
      assert.deepEqual(await s.bundles.activeBundle(), { version: a.version, files: a.files, activated_at: iso(T + 2000), source: 'rollback by ops' });
    });

    test('records each version once, keeping the files first stored under it', async (s) => {
      const a = bundle('a');
      await s.bundles.activateBundle(a, T);
      await s.bundles.activateBundle(bundle('b'), T + 1000);
      assert.equal(await s.bundles.activateBundle({ ...a, files: { 'other.cedar': 'forbid(principal, action, resource);' } }, T + 2000), true);
      assert.deepEqual((await s.bundles.activeBundle())?.files, a.files);
    });

    test('keeps when and by whom the active version was activated when it is activated again', async (s) => {
      const a = bundle('a');
      await s.bundles.activateBundle(a, T);
      assert.equal(await s.bundles.activateBundle({ ...a, source: 'another replica' }, T + 1000, a.version), true);
      assert.deepEqual(await s.bundles.activeBundle(), { version: a.version, files: a.files, activated_at: iso(T), source: a.source });
    });

    test('refuses, changing nothing, when the expected active version is no longer active', async (s, r) => {
      const [a, b, c] = [bundle('a'), bundle('b'), bundle('c')];
      assert.equal(await s.bundles.activateBundle(a, T, null), true, 'null: nothing active yet');
      assert.equal(await r.bundles.activateBundle(b, T + 1, null), false);
      assert.equal(await r.bundles.activateBundle(b, T + 2, c.version), false);
      assert.deepEqual(await r.bundles.activeBundle(), { version: a.version, files: a.files, activated_at: iso(T), source: a.source });
      assert.equal(await r.bundles.knownBundleVersion(b.version), false, 'a refused bundle is not recorded');
      assert.equal(await r.bundles.activateBundle(b, T + 3, a.version), true);
      assert.equal(await s.bundles.activateBundle(c, T + 4, a.version), false, 'a stale replica cannot overwrite');
      assert.equal(await s.bundles.activeBundleVersion(), b.version);
    });

    test('lets exactly one of several replicas activating from the same version win', async (s, r) => {
      const base = bundle('base');
      await s.bundles.activateBundle(base, T);
      const candidates = Array.from({ length: 8 }, (_, i) => bundle(`candidate-${i}`));
      const won = await Promise.all(candidates.map((b, i) => (i % 2 ? r : s).bundles.activateBundle(b, T + 1000, base.version)));
      assert.equal(won.filter(Boolean).length, 1);
      const winner = candidates[won.indexOf(true)]!;
      assert.equal(await s.bundles.activeBundleVersion(), winner.version);
      for (const b of candidates) assert.equal(await r.bundles.knownBundleVersion(b.version), b === winner, `candidate ${b.source}`);
    });

    test('knows every version ever activated, and no other', async (s, r) => {
      const [a, b] = [bundle('a'), bundle('b')];
      await s.bundles.activateBundle(a, T);
      await s.bundles.activateBundle(b, T + 1000);
      assert.equal(await r.bundles.knownBundleVersion(a.version), true, 'no longer active, still known');
      assert.equal(await r.bundles.knownBundleVersion(b.version), true);
      assert.equal(await r.bundles.knownBundleVersion(sha('never')), false);
      assert.equal(await r.bundles.knownBundleVersion(''), false);
    });
  });
}
