import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeBundle } from '../decide/test-support.js';
import type { Logger } from '../lib/logger.js';
import { waitFor } from '../lib/test-wait.js';
import { ShadowPolicy } from './shadow-policy.js';

const VALID = '@id("all") permit (principal, action, resource);';

// pollMs stays above LivePolicy's 100 ms debounce: a faster poll would keep postponing the reload.
function harness() {
  const records: { kind: string }[] = [];
  const logged: string[] = [];
  const versions: (string | undefined)[] = [];
  const log = { info: (_: unknown, m: string) => logged.push(`info ${m}`), error: (_: unknown, m: string) => logged.push(`error ${m}`) } as unknown as Logger;
  return {
    records, logged, versions,
    options: (dir: string) => ({ dir, log, pollMs: 200, record: async (e: { kind: string }) => records.push(e), onChange: (v: string | undefined) => versions.push(v) }),
  };
}

describe('shadow policy', () => {
  it('starts with a valid bundle and audits its load as a shadow load', async () => {
    const h = harness();
    const shadow = await ShadowPolicy.start(h.options(await writeBundle({ 'p.cedar': VALID })));
    try {
      assert.ok(shadow.engine());
      assert.deepEqual(h.records.map((r) => r.kind), ['shadow_policy_load']);
      assert.equal(h.versions.length, 1);
    } finally {
      shadow.close();
    }
  });

  it('never throws for an invalid or missing bundle: shadowing is off until the files become valid', async () => {
    const h = harness();
    const dir = await writeBundle({ 'p.cedar': 'permit (principal, action, resource' });
    const shadow = await ShadowPolicy.start(h.options(dir));
    try {
      assert.equal(shadow.engine(), undefined);
      assert.deepEqual(h.records.map((r) => r.kind), ['shadow_policy_load_refused']);
      assert.match(h.logged[0]!, /^error shadow policy bundle refused/);
      await writeFile(join(dir, 'p.cedar'), VALID);
      await waitFor(() => shadow.engine() !== undefined);
      assert.deepEqual(h.versions.map((v) => v !== undefined), [false, true]);
    } finally {
      shadow.close();
    }
    const missing = await ShadowPolicy.start(h.options(join(dir, 'nope')));
    assert.equal(missing.engine(), undefined);
    missing.close();
  });

  it('turns shadowing off when a reload is refused, and on again when the bundle is fixed', async () => {
    const h = harness();
    const dir = await writeBundle({ 'p.cedar': VALID });
    const shadow = await ShadowPolicy.start(h.options(dir));
    try {
      const first = shadow.engine()!.version;
      await writeFile(join(dir, 'p.cedar'), 'forbid (principal, action');
      await waitFor(() => shadow.engine() === undefined);
      await writeFile(join(dir, 'p.cedar'), VALID);
      await waitFor(() => shadow.engine() !== undefined);
      assert.equal(shadow.engine()!.version, first, 'back to the same bundle');
      assert.deepEqual(h.versions.map((v) => v !== undefined), [true, false, true]);
    } finally {
      shadow.close();
    }
  });
});
