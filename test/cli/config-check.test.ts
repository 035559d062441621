// `airlock config check` through the real CLI: validates without starting or writing anything,
// prints the effective config with secrets masked, warns about risky settings, and refuses what
// `serve` would refuse with the same one-line problems.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ensureDevKey } from '../../src/identify/index.js';
import { tempDir } from '../../src/lib/test-temp-dir.js';
import { runCli } from '../support/airlock-process.js';

const POLICY = 'permit(principal, action == Action::"model.invoke", resource);\n';

async function configDir(config: string, policy = POLICY): Promise<string> {
  const dir = tempDir('config-check');
  await ensureDevKey(path.join(dir, 'dev'));
  await mkdir(path.join(dir, 'policies'));
  await writeFile(path.join(dir, 'policies/main.cedar'), policy);
  await writeFile(path.join(dir, 'airlock.yaml'), config);
  return dir;
}

const BASE = `identity:
  oidc:
    - { issuer: "https://login.example.com", audience: airlock, jwks_file: ./dev/jwks.json }
resources:
  - name: llm
    type: openai
    upstream: "https://api.example.com"
    inject: { headers: { Authorization: "Bearer \${UPSTREAM_KEY}" } }
`;

const check = (dir: string, ...args: string[]) =>
  runCli(['config', 'check', '--config', path.join(dir, 'airlock.yaml'), ...args], { env: { UPSTREAM_KEY: 'sk-live-0123456789abcdef' } });

describe('airlock config check', () => {
  it('prints the effective config with defaults and the secret masked, and creates nothing', async () => {
    const dir = await configDir(BASE);
    const run = await check(dir);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!run.stdout.includes('sk-live-0123456789abcdef') && !run.stderr.includes('sk-live-0123456789abcdef'));
    assert.match(run.stdout, /Authorization: "\*\*\*"/);
    assert.match(run.stdout, /max_pending_per_principal: 20/); // a default, written out
    assert.match(run.stderr, /^ok: .*airlock\.yaml is valid$/m);
    assert.equal(existsSync(path.join(dir, 'data')), false, 'no store or key created');
  });

  it('warns about risky settings on stderr; --strict exits 1 on them', async () => {
    const dir = await configDir(`${BASE}listen: "0.0.0.0:8080"\naudit: { mode: async }\n`);
    const run = await check(dir, '--quiet');
    assert.equal(run.code, 0);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^warning: listen: plain HTTP on 0\.0\.0\.0:8080/m);
    assert.match(run.stderr, /^warning: audit\.mode: async/m);
    assert.match(run.stderr, /\(2 warnings\)/);
    assert.equal((await check(dir, '--quiet', '--strict')).code, 1);
  });

  it('refuses a bad key with one line naming its path, exit 2', async () => {
    const dir = await configDir(`${BASE}approvals: { ttl_seconds: -1, colour: blue }\n`);
    const run = await check(dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^approvals\.ttl_seconds: /m);
    assert.match(run.stderr, /^approvals\.colour: unknown key$/m);
    assert.equal(run.stdout, '');
  });

  it('refuses what serve would refuse at start: a missing JWKS file, an invalid policy bundle', async () => {
    const jwks = await configDir(BASE.replace('./dev/jwks.json', './missing.json'));
    const r1 = await check(jwks);
    assert.equal(r1.code, 2);
    assert.match(r1.stderr, /^identity\.oidc\[0\]\.jwks_file: file not found/m);

    const bundle = await configDir(BASE, 'permit(principal, action, resource) when { nonsense };\n');
    const r2 = await check(bundle);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /main\.cedar/);
  });
});
