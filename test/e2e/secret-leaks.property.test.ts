// The property: whatever traffic a real gateway sees (allowed, denied and malformed data-plane
// requests, broker reads with and without approvals, puts, deletes and tampering of secrets, votes,
// control-plane reads), no secret value ever appears in what it writes or answers: its stderr and
// stdout (at debug level), the audit log, /metrics, any answer but the broker's own release, and
// what it sends to notification and SIEM webhooks. The values are referenced from every kind of
// credential value the config has (inject headers, a webhook channel's secret, a sink's secret).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { fuzzRuns } from '../../src/lib/fuzz-runs.js';
import { tempDir } from '../../src/lib/test-temp-dir.js';
import { verifyWebhook } from '../../src/lib/webhook-signature.js';
import { SecretVault } from '../../src/secrets/vault.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/ports.js';
import { runCli, startAirlock, type RunningAirlock } from '../support/airlock-process.js';
import { startRecordingUpstream, type RecordingUpstream } from '../support/recording-upstream.js';

const POLICIES = {
  'p.cedar': `
@id("alice") permit (principal == User::"alice", action, resource in Resource::"api");
@id("alice-down") permit (principal == User::"alice", action, resource in Resource::"down");
@id("mallory-writes-with-approval") @approval("leads") permit (principal == User::"mallory", action == Action::"http.write", resource in Resource::"api");
@id("ci-build") permit (principal == Agent::"ci", action == Action::"secret.read", resource == Secret::"build-token");
@id("ci-deploy") @approval("leads") permit (principal == Agent::"ci", action == Action::"secret.read", resource == Secret::"deploy-key");
@id("alice-build-with-mfa") @mfa("required") permit (principal == User::"alice", action == Action::"secret.read", resource == Secret::"build-token");
@id("leads") permit (principal in Group::"leads", action, resource == Airlock::"control-plane");
`,
};

const NAMES = ['upstream-key', 'other-key', 'hook-secret', 'siem-secret', 'build-token', 'deploy-key'] as const;
type Who = 'alice' | 'mallory' | 'lead' | 'ci' | 'anon' | 'junk';

const who = fc.constantFrom<Who>('alice', 'mallory', 'lead', 'ci', 'anon', 'junk');
const operation = fc.oneof(
  fc.record({ op: fc.constant('data' as const), who, resource: fc.constantFrom('api', 'down', 'nope'), method: fc.constantFrom('GET', 'POST', 'DELETE'), path: fc.stringMatching(/^[a-z0-9/]{0,16}$/), body: fc.option(fc.json({ maxDepth: 2 })) }),
  fc.record({ op: fc.constant('broker' as const), who, name: fc.constantFrom('build-token', 'deploy-key', 'upstream-key', 'missing', 'bad%20name', '..%2Fx'), approval: fc.option(fc.uuid()) }),
  fc.record({ op: fc.constant('put' as const), name: fc.constantFrom(...NAMES), suffix: fc.stringMatching(/^[0-9a-f]{12}$/) }),
  fc.record({ op: fc.constant('delete' as const), name: fc.constantFrom('upstream-key', 'build-token') }),
  fc.record({ op: fc.constant('tamper' as const), name: fc.constantFrom('upstream-key', 'build-token', 'hook-secret') }),
  fc.record({ op: fc.constant('control' as const), who, path: fc.constantFrom('/api/v1/approvals', '/api/v1/audit?after=-1&limit=100', '/api/v1/approvals/00000000-0000-0000-0000-000000000000', '/api/v1/grants', '/api/v1/secrets') }),
  fc.record({ op: fc.constant('vote' as const), choice: fc.constantFrom('approve', 'deny') }),
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

let dir: string;
let airlock: RunningAirlock;
let store: Store;
let vault: SecretVault;
let upstream: RecordingUpstream;
let hooks: RecordingUpstream;
let siem: RecordingUpstream;
let stdout = '';
const tokens = {} as Record<Who, string | undefined>;
/** Every value ever stored. */
const values: string[] = [];
const valuesOf = new Map<string, string[]>();
/** Every answer the gateway gave, but the broker's releases. */
const answers: string[] = [];
let n = 0;

async function put(name: string, suffix: string): Promise<void> {
  const value = `SV~${n++}~${suffix}`;
  values.push(value);
  valuesOf.set(name, [...(valuesOf.get(name) ?? []), value]);
  await vault.put(name, Buffer.from(value));
}

/** Forges the next version of `name` from another secret's bytes (an attacker with the database). */
function tamper(name: string): void {
  const db = new Database(path.join(dir, 'data', 'airlock.db'));
  try {
    const donor = db.prepare(`SELECT kek_id, wrapped_key, ciphertext FROM secret_versions WHERE name <> ? LIMIT 1`).get(name) as Record<string, unknown> | undefined;
    if (!donor) return;
    db.transaction(() => {
      const version = db.prepare(`UPDATE secret_names SET last_version = last_version + 1 WHERE name = ? RETURNING last_version`).pluck().get(name) as number | undefined;
      if (version === undefined) return;
      db.prepare(`INSERT INTO secret_versions VALUES (?, ?, ?, ?, ?, 0)`).run(name, version, donor.kek_id, donor.wrapped_key, donor.ciphertext);
      db.prepare(`UPDATE counters SET value = value + 1 WHERE name = 'secrets'`).run();
    })();
  } finally {
    db.close();
  }
}

async function send(url: string, init: RequestInit & { as: Who }, isRelease = false): Promise<void> {
  const token = tokens[init.as];
  const res = await fetch(url, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers } });
  const text = await res.text();
  if (!(isRelease && res.status === 200)) answers.push(`${res.status} ${[...res.headers].join(' ')} ${text}`);
}

async function perform(o: Operation): Promise<void> {
  switch (o.op) {
    case 'data':
      return send(`${airlock.dataUrl}/${o.resource}/${o.path}`, { as: o.who, method: o.method, body: o.method === 'POST' && o.body !== null ? o.body : undefined, headers: { 'content-type': 'application/json' } });
    case 'broker':
      return send(`${airlock.adminUrl}/api/v1/secrets/${o.name}`, { as: o.who, headers: o.approval ? { 'airlock-approval': o.approval } : {} }, true);
    case 'put':
      return put(o.name, o.suffix);
    case 'delete':
      await vault.delete(o.name);
      return;
    case 'tamper':
      return tamper(o.name);
    case 'control':
      return send(`${airlock.adminUrl}${o.path}`, { as: o.who });
    case 'vote': {
      const pending = (await store.approvals.listApprovals('pending', 1)).items[0];
      if (pending) await send(`${airlock.adminUrl}/api/v1/approvals/${pending.id}/${o.choice}`, { as: 'lead', method: 'POST', body: '{"reason":"fuzz"}', headers: { 'content-type': 'application/json' } });
    }
  }
}

/** Every text a value must never be in, now. */
async function everywhere(): Promise<Record<string, string>> {
  const audit = (await store.audit.readAudit(-1, 1_000_000)).map((r) => r.line).join('\n');
  const metrics = await (await fetch(`${airlock.adminUrl}/metrics`)).text();
  return {
    stderr: airlock.stderr(),
    stdout,
    audit,
    metrics,
    answers: answers.join('\n'),
    notifications: hooks.requests.map((r) => r.body).join('\n'),
    siem: siem.requests.map((r) => r.body).join('\n'),
  };
}

function assertNoValue(texts: Record<string, string>): void {
  for (const [where, text] of Object.entries(texts)) {
    const leaked = values.find((v) => text.includes(v));
    assert.equal(leaked, undefined, `a secret value appears in ${where}`);
  }
}

before(async () => {
  dir = tempDir('secret-leaks');
  [upstream, hooks, siem] = await Promise.all([startRecordingUpstream(), startRecordingUpstream(), startRecordingUpstream()]);
  store = openSqliteStore(path.join(dir, 'data', 'airlock.db'));
  vault = await SecretVault.open(store.secrets, path.join(dir, 'data', 'secrets.kek'));
  for (const name of NAMES) await put(name, 'initial00000');
  airlock = await startAirlock({
    dir,
    policies: POLICIES,
    config: {
      secrets: { kek_file: './data/secrets.kek' },
      approvals: { ttl_seconds: 600, notify: [{ type: 'webhook', url: `${hooks.url}/hook`, secret: '${secret:hook-secret}' }] },
      audit: { signing_key_file: './data/audit.key', origin: 'test.airlock.local/audit', sinks: [{ type: 'webhook', url: `${siem.url}/ingest`, secret: 'SIEM ${secret:siem-secret}' }] },
    },
    resources: [
      { name: 'api', type: 'http', upstream: upstream.url, inject: { headers: { Authorization: 'Bearer ${secret:upstream-key}' } } },
      { name: 'down', type: 'http', upstream: 'http://127.0.0.1:1', inject: { headers: { 'X-Key': '${secret:other-key}' } }, timeouts: { connect_ms: 500, response_ms: 1000 } },
    ],
    env: { AIRLOCK_LOG_LEVEL: 'debug' },
  });
  airlock.proc.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  tokens.alice = await airlock.token({ sub: 'alice', groups: [] });
  tokens.mallory = await airlock.token({ sub: 'mallory', groups: [] });
  tokens.lead = await airlock.token({ sub: 'lee', groups: ['leads'] });
  tokens.ci = (await runCli(['keys', 'create', '--agent', 'ci', '--config', airlock.configFile])).stdout.trim();
  tokens.junk = 'not-a-token';
});
after(async () => {
  await airlock.stop();
  await store.close();
  await Promise.all([upstream.close(), hooks.close(), siem.close()]);
});

describe('secret values never leak', () => {
  it('appear in no log, audit record, metric, answer or outgoing webhook body after random traffic', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 5, maxLength: 25 }), async (ops) => {
        for (const o of ops) await perform(o);
        assertNoValue(await everywhere());
      }),
      { numRuns: fuzzRuns(12) },
    );
    // And the references were live all along: the upstream gets the stored value (random traffic
    // need not hold an allowed call, and may have deleted the secret, so a fresh version is put
    // and asked for until the gateway's next poll has it), the webhooks were signed with stored ones.
    await put('upstream-key', 'liveness0000');
    const fresh = `Bearer ${valuesOf.get('upstream-key')!.at(-1)}`;
    for (let i = 0; i < 50 && !upstream.requests.some((r) => r.headers.authorization === fresh); i++) {
      await perform({ op: 'data', who: 'alice', resource: 'api', method: 'GET', path: 'live', body: null });
      await new Promise((r) => setTimeout(r, 100));
    }
    assertNoValue(await everywhere());
    assert.ok(upstream.requests.some((r) => r.headers.authorization === fresh), 'the upstream gets the newest stored value');
    const signedWith = (r: RecordingUpstream, secrets: string[]) =>
      r.requests.some((q) => secrets.some((s) => verifyWebhook(s, q.body, String(q.headers['airlock-signature']))));
    if (hooks.requests.length) assert.ok(signedWith(hooks, valuesOf.get('hook-secret')!), 'notifications are signed with the stored secret');
    if (siem.requests.length) assert.ok(signedWith(siem, valuesOf.get('siem-secret')!.map((v) => `SIEM ${v}`)), 'SIEM batches are signed with the stored secret');
    const exported = await runCli(['audit', 'export', '--config', airlock.configFile]);
    assertNoValue({ export: exported.stdout });
  });
});
