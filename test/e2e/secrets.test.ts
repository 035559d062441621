// Secrets end to end: `airlock secrets` on the store of a real `airlock serve`, an inject header
// that reaches a fake upstream with the stored value and with each new version without a restart,
// KEK rotation under load, the broker under policy, `airlock run` waiting for a lead's approval,
// tampering refused and recorded, and no value anywhere it must not be (logs, the audit export,
// /metrics, /api/v1 answers, the process title, a diagnostic report).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { tempDir } from '../../src/lib/test-temp-dir.js';
import { waitFor } from '../../src/lib/test-wait.js';
import { AIRLOCK_BIN, runCli, startAirlock, type RunningAirlock } from '../support/airlock-process.js';
import { startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.js';

const POLICIES = {
  'p.cedar': `
@id("alice-api") permit (principal == User::"alice", action, resource in Resource::"api");
@id("ci-build-token") permit (principal == Agent::"ci", action == Action::"secret.read", resource == Secret::"build-token");
@id("ci-ghost") permit (principal == Agent::"ci", action == Action::"secret.read", resource == Secret::"ghost");
@id("deploy-needs-a-lead") @approval("leads") permit (principal == Agent::"ci", action == Action::"secret.read", resource == Secret::"deploy-key");
@id("alice-build-token-with-mfa") @mfa("required") permit (principal == User::"alice", action == Action::"secret.read", resource == Secret::"build-token");
@id("leads-vote") permit (principal in Group::"leads", action in [Action::"admin.approvals.read", Action::"admin.approve", Action::"admin.deny"], resource);
@id("auditors") permit (principal in Group::"auditors", action == Action::"admin.audit.read", resource == Airlock::"control-plane");
`,
};

/** Every value this file ever stores: none may appear where a value must not. */
const VALUES = {
  one: 'sk-UPSTREAM-one-4f9d1c2b7a',
  two: 'sk-UPSTREAM-two-8e3a6b0d5c',
  three: 'sk-UPSTREAM-three-1a2b3c4d5e',
  build: 'bt-BUILD-9c8b7a6f5e4d',
  deploy: 'dk-DEPLOY-0f1e2d3c4b5a',
  spare: 'sp-SPARE-77aa88bb99cc',
};

let dir: string;
let upstream: RecordingUpstream;
let airlock: RunningAirlock;
let ciKey: string;
let alice: string;
let lead: string;
/** /api/v1 answers other than the broker's handing out a value. */
const answers: string[] = [];

const cliConfig = () => path.join(dir, 'cli.yaml');
const put = (name: string, value: string, config = cliConfig()) =>
  runCli(['secrets', 'put', name, '--from-env', 'SECRET_VALUE', '--config', config], { env: { SECRET_VALUE: value } });

function putFromStdin(name: string, input: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [AIRLOCK_BIN, 'secrets', 'put', name, '--config', cliConfig()]);
    let stdout = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.on('exit', (code) => resolve({ code, stdout }));
    p.stdin.end(input);
  });
}

async function api(pathname: string, token: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(`${airlock.adminUrl}${pathname}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });
  const text = await res.clone().text();
  if (!(pathname.startsWith('/api/v1/secrets/') && res.status === 200)) answers.push(text);
  return res;
}

const callApi = () => fetch(`${airlock.dataUrl}/api/v1/things`, { headers: { authorization: `Bearer ${alice}` } });
const lastSent = () => upstream.requests.at(-1)?.headers.authorization;

before(async () => {
  dir = tempDir('secrets-e2e');
  upstream = await startRecordingUpstream();
  await mkdir(path.join(dir, 'reports'));
  await writeFile(cliConfig(), stringify({ store: 'sqlite:./data/airlock.db', secrets: { kek_file: './data/secrets.kek' } }));
  for (const [name, value] of [['upstream-key', VALUES.one], ['build-token', VALUES.build], ['deploy-key', VALUES.deploy]]) {
    const r = await put(name!, value!);
    assert.equal(r.code, 0, r.stdout);
  }
  airlock = await startAirlock({
    dir,
    policies: POLICIES,
    config: { secrets: { kek_file: './data/secrets.kek' } },
    resources: [{ name: 'api', type: 'http', upstream: upstream.url, inject: { headers: { Authorization: 'Bearer ${secret:upstream-key}' } } }],
    env: { AIRLOCK_LOG_LEVEL: 'debug', NODE_OPTIONS: `--report-on-signal --report-directory=${path.join(dir, 'reports')}` },
  });
  ciKey = (await runCli(['keys', 'create', '--agent', 'ci', '--config', airlock.configFile])).stdout.trim();
  alice = await airlock.token({ sub: 'alice', groups: [] });
  lead = await airlock.token({ sub: 'lee', groups: ['leads', 'auditors'] });
});
after(async () => {
  await airlock.stop();
  await upstream.close();
});

describe('secrets end to end', () => {
  it('refuses to serve a config that references a missing secret, naming the key path, exit 2', async () => {
    await assert.rejects(
      startAirlock({
        dir: tempDir('secrets-missing'),
        policies: POLICIES,
        config: { secrets: { kek_file: './data/secrets.kek' } },
        resources: [{ name: 'api', type: 'http', upstream: upstream.url, inject: { headers: { 'X-Key': '${secret:nope}' } } }],
      }),
      /exited with 2:\nresources\[0\]\.inject\.headers\.X-Key: secret "nope" does not exist \(airlock secrets put nope\)\n$/,
    );
  });

  it('injects the stored value, and a new version from the next request after a put, without a restart', async () => {
    assert.equal((await callApi()).status, 200);
    assert.equal(lastSent(), `Bearer ${VALUES.one}`);
    const stored = await put('upstream-key', VALUES.two, airlock.configFile);
    assert.deepEqual([stored.code, stored.stdout], [0, 'stored upstream-key version 2\n']);
    await waitFor(async () => (await callApi()).status === 200 && lastSent() === `Bearer ${VALUES.two}`, 15_000);
  });

  it('keeps every secret usable across rotate-kek, whose keyring file then holds only the new KEK', async () => {
    const kekFile = path.join(dir, 'data', 'secrets.kek');
    const before = (await readFile(kekFile, 'utf8')).match(/^kek \S+/gm);
    const rotated = await runCli(['secrets', 'rotate-kek', '--config', airlock.configFile]);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /re-wrapped/);
    const after = (await readFile(kekFile, 'utf8')).match(/^kek \S+/gm);
    assert.equal(after?.length, 1);
    assert.notDeepEqual(after, before);
    assert.equal((await callApi()).status, 200);
    assert.equal(lastSent(), `Bearer ${VALUES.two}`);
    assert.equal((await putFromStdin('upstream-key', `${VALUES.three}\n`)).stdout, 'stored upstream-key version 3\n');
    await waitFor(async () => (await callApi()).status === 200 && lastSent() === `Bearer ${VALUES.three}`, 15_000);
  });

  it('lists names and versions, never values, and deletes only what the config does not reference', async () => {
    assert.equal((await put('spare', VALUES.spare)).code, 0);
    const list = await runCli(['secrets', 'list', '--config', airlock.configFile]);
    assert.match(list.stdout, /^upstream-key +3 +3 /m);
    assert.match(list.stdout, /^spare +1 +1 /m);
    const referenced = await runCli(['secrets', 'delete', 'upstream-key', '--config', airlock.configFile]);
    assert.equal(referenced.code, 1);
    assert.match(referenced.stderr, /referenced at resources\[0\]\.inject\.headers\.Authorization/);
    assert.deepEqual((await runCli(['secrets', 'delete', 'spare', '--config', airlock.configFile])).stdout, 'deleted spare (1 version)\n');
    const unknown = await runCli(['secrets', 'delete', 'spare', '--config', airlock.configFile]);
    assert.deepEqual([unknown.code, unknown.stderr], [1, 'no secret spare\n']);
    assert.equal((await runCli(['secrets', 'put', '../etc', '--from-env', 'HOME', '--config', airlock.configFile])).code, 2);
    for (const text of [list.stdout, list.stderr, referenced.stderr]) for (const v of Object.values(VALUES)) assert.ok(!text.includes(v));
  });

  it('hands a secret to whom the policy permits, after step-up when it asks; others get 403 whether or not it exists', async () => {
    const res = await api('/api/v1/secrets/build-token', ciKey);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await res.json(), { name: 'build-token', version: 1, encoding: 'utf8', value: VALUES.build });
    assert.equal((await api('/api/v1/secrets/build-token', lead)).status, 403);
    assert.equal((await api('/api/v1/secrets/no-such', lead)).status, 403);
    const stepUp = await api('/api/v1/secrets/build-token', alice);
    assert.equal(stepUp.status, 401);
    assert.match(stepUp.headers.get('www-authenticate') ?? '', /insufficient_user_authentication/);
    const withMfa = await api('/api/v1/secrets/build-token', await airlock.token({ sub: 'alice', groups: [], mfa: true }));
    assert.equal(withMfa.status, 200);
    assert.equal((await api('/api/v1/secrets/ghost', ciKey)).status, 404);
    assert.equal((await api('/api/v1/secrets/..%2Fetc', ciKey)).status, 400);
    assert.equal((await fetch(`${airlock.adminUrl}/api/v1/secrets/build-token`)).status, 401);
  });

  it('airlock run waits for a lead, passes the value only in the child\'s environment, and exits with the child\'s code', async () => {
    const script = `const v = process.env.DEPLOY_KEY; process.stdout.write(require('crypto').createHash('sha256').update(v).digest('hex')); process.exit(7)`;
    const run = spawn(process.execPath, [AIRLOCK_BIN, 'run', '--server', airlock.adminUrl, '--secret', 'DEPLOY_KEY=deploy-key', '--wait', '60s', '--poll', '200ms', '--', process.execPath, '-e', script], {
      env: { ...process.env, AIRLOCK_TOKEN: ciKey },
    });
    let stdout = '';
    let stderr = '';
    run.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    run.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => run.on('exit', resolve));
    let id: string | undefined;
    await waitFor(async () => {
      const pending = (await (await api('/api/v1/approvals?status=pending', lead)).json()) as { id: string; kind: string; resource: string }[];
      id = pending.find((a) => a.kind === 'secret' && a.resource === 'Secret::"deploy-key"')?.id;
      return id !== undefined;
    }, 20_000);
    await waitFor(() => stderr.includes(`waiting for approval ${id} to read secret deploy-key`), 20_000);
    assert.ok(!(await readFile(`/proc/${run.pid}/cmdline`, 'utf8')).includes(VALUES.deploy));
    assert.equal((await api(`/api/v1/approvals/${id}/approve`, lead, { method: 'POST', body: '{"reason":"release 4.2"}', headers: { 'content-type': 'application/json' } })).status, 200);
    assert.equal(await exited, 7, stderr);
    assert.equal(stdout, createHash('sha256').update(VALUES.deploy).digest('hex'));
  });

  it('airlock run exits 1 when the approval is denied or the secret refused, 2 on usage errors, without running the command', async () => {
    const run = (args: string[]) => runCli(['run', '--server', airlock.adminUrl, ...args, '--', process.execPath, '-e', 'process.exit(9)'], { env: { AIRLOCK_TOKEN: ciKey } });
    const pendingIds = async () => ((await (await api('/api/v1/approvals?status=pending', lead)).json()) as { id: string }[]).map((a) => a.id);
    const earlier = new Set(await pendingIds());
    const denied = run(['--secret', 'K=deploy-key', '--wait', '60s', '--poll', '200ms']);
    await waitFor(async () => {
      const id = (await pendingIds()).find((a) => !earlier.has(a));
      if (id) await api(`/api/v1/approvals/${id}/deny`, lead, { method: 'POST', body: '{"reason":"not today"}', headers: { 'content-type': 'application/json' } });
      return id !== undefined;
    }, 20_000);
    const d = await denied;
    assert.equal(d.code, 1, d.stderr);
    assert.match(d.stderr, /^denied: the approval is denied/m);
    assert.equal((await run(['--secret', 'K=ghost'])).code, 1);
    assert.equal((await run(['--secret', 'K=upstream-key'])).code, 1, 'not permitted');
    assert.equal((await run(['--secret', 'bad-env=build-token'])).code, 2);
    assert.equal((await run([])).code, 2);
    assert.equal((await runCli(['run', '--secret', 'K=build-token', '--server', airlock.adminUrl, '--', 'true'], { env: { AIRLOCK_TOKEN: '' } })).code, 2);
  });

  it('refuses a tampered version at the broker and for references, records both, and keeps the last good value', async () => {
    const db = new Database(path.join(dir, 'data', 'airlock.db'));
    // A forged version 4 of upstream-key: the bytes of build-token, which open under no other name.
    const donor = db.prepare(`SELECT kek_id, wrapped_key, ciphertext FROM secret_versions WHERE name = 'build-token'`).get() as Record<string, unknown>;
    db.prepare(`INSERT INTO secret_versions VALUES ('upstream-key', 4, @kek_id, @wrapped_key, @ciphertext, 0)`).run(donor);
    db.prepare(`UPDATE counters SET value = value + 1 WHERE name = 'secrets'`).run();
    const edited = Buffer.from(donor.ciphertext as Buffer);
    edited[20]! ^= 0x55;
    db.prepare(`UPDATE secret_versions SET ciphertext = ? WHERE name = 'build-token'`).run(edited);
    db.close();
    const res = await api('/api/v1/secrets/build-token', ciKey);
    assert.equal(res.status, 500);
    assert.equal(((await res.json()) as { code: string }).code, 'secret_tampered');
    const audit = async () => (await runCli(['audit', 'export', '--config', airlock.configFile])).stdout;
    await waitFor(async () => /"kind":"secret_tampered","time":"[^"]+","secret":"upstream-key","version":4,"where":"reference"/.test(await audit()), 20_000);
    assert.match(await audit(), /"kind":"secret_tampered","time":"[^"]+","secret":"build-token","version":1,"where":"broker"/);
    assert.equal((await callApi()).status, 200);
    assert.equal(lastSent(), `Bearer ${VALUES.three}`, 'the last good version stays in use');
  });

  it('never shows a value in logs, the audit export, /metrics, /api/v1 answers, the process title or a diagnostic report', async () => {
    answers.push(await (await api('/api/v1/approvals', lead)).text());
    answers.push(await (await api('/api/v1/audit?after=-1&limit=1000', lead)).text());
    const metrics = await (await fetch(`${airlock.adminUrl}/metrics`)).text();
    const exported = (await runCli(['audit', 'export', '--config', airlock.configFile])).stdout;
    const title = await readFile(`/proc/${airlock.proc.pid}/cmdline`, 'utf8');
    airlock.proc.kill('SIGUSR2');
    const reports = path.join(dir, 'reports');
    await waitFor(async () => (await readdir(reports).catch(() => [])).some((f) => f.endsWith('.json')), 20_000);
    const report = await readFile(path.join(reports, (await readdir(reports)).find((f) => f.endsWith('.json'))!), 'utf8');
    assert.match(exported, /"action":"secret.read","resource":"Secret::\\"deploy-key\\""/, 'the broker decisions are on the record');
    const places = { logs: airlock.stderr(), audit: exported, metrics, answers: answers.join('\n'), title, report };
    for (const [where, text] of Object.entries(places)) {
      for (const [which, value] of Object.entries(VALUES)) assert.ok(!text.includes(value), `${which} appears in ${where}`);
    }
  });
});
