// The CLI starts without loading what a command does not use: `airlock --help`, `dev token` and
// control-plane commands must not pay for the gateway, Cedar, the store drivers or the config
// schema (together over a second of start-up), so the compiled `airlock --help` stays far under
// 300 ms. Checked by the modules a run loads, which does not depend on the machine's load.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../src/lib/test-temp-dir.js';
import { AIRLOCK_BIN, REPO } from '../support/airlock-process.js';

const HEAVY = ['zod', '@cedar-policy', 'pg', 'better-sqlite3', 'undici', 'prom-client', 'pino', 'yaml'];
const TRACE = path.join(REPO, 'test/support/trace-imports.mjs');

/** The module URLs `airlock <args>` loads, and its exit code. */
function modulesLoadedBy(args: readonly string[]): { code: number | null; urls: string[]; stderr: string } {
  const file = path.join(tempDir('imports'), 'trace.txt');
  const run = spawnSync(process.execPath, ['--import', TRACE, AIRLOCK_BIN, ...args], {
    env: { ...process.env, AIRLOCK_TRACE_IMPORTS: file },
    encoding: 'utf8',
  });
  return { code: run.status, urls: readFileSync(file, 'utf8').split('\n').filter(Boolean), stderr: run.stderr };
}

const heavyIn = (urls: readonly string[]) => urls.filter((u) => HEAVY.some((name) => u.includes(`/node_modules/${name}/`)));

describe('CLI start-up', () => {
  it('runs the compiled code, with no TypeScript loader', () => {
    const { code, urls } = modulesLoadedBy(['--help']);
    assert.equal(code, 0);
    assert.ok(urls.some((u) => u.endsWith('/dist/cli/main.js')), 'dist/cli/main.js is loaded');
    assert.deepEqual(urls.filter((u) => u.endsWith('.ts') || u.includes('/node_modules/tsx/')), []);
  });

  it('airlock --help loads only the command table and commander', () => {
    const { urls } = modulesLoadedBy(['--help']);
    assert.deepEqual(heavyIn(urls), []);
    const ours = urls.filter((u) => u.includes('/dist/')).map((u) => u.slice(u.indexOf('/dist/')));
    assert.deepEqual(ours.sort(), ['/dist/cli/main.js', '/dist/lib/package-version.js']);
  });

  it('dev token and control-plane commands load neither the gateway nor the config schema', () => {
    const dir = tempDir('dev-key');
    const token = modulesLoadedBy(['dev', 'token', '--sub', 'alice', '--dir', dir]);
    assert.equal(token.code, 0, token.stderr);
    assert.deepEqual(heavyIn(token.urls), []);
    // No server listens on port 9: the command fails, after loading all it would use.
    const list = modulesLoadedBy(['approvals', 'list', '--server', 'http://127.0.0.1:9']);
    assert.deepEqual(heavyIn(list.urls), []);
  });

  it('every group in the top-level help answers its own --help', () => {
    const top = spawnSync(process.execPath, [AIRLOCK_BIN, '--help'], { encoding: 'utf8' });
    const commands = top.stdout.split('Commands:')[1] ?? '';
    const groups = [...commands.matchAll(/^  ([a-z][a-z-]*)\b/gm)].map((m) => m[1]!).filter((g) => g !== 'help');
    assert.ok(groups.length > 10, top.stdout);
    for (const group of groups) {
      const run = spawnSync(process.execPath, [AIRLOCK_BIN, group, '--help'], { encoding: 'utf8' });
      assert.equal(run.status, 0, `airlock ${group} --help: ${run.stderr}`);
      assert.match(run.stdout, new RegExp(`Usage: airlock ${group}`));
    }
  });

  it('a group named on the command line still gets its full help', () => {
    const run = spawnSync(process.execPath, [AIRLOCK_BIN, 'help', 'keys'], { encoding: 'utf8' });
    assert.equal(run.status, 0);
    assert.match(run.stdout, /create \[options\]/);
    assert.match(run.stdout, /revoke/);
  });
});
