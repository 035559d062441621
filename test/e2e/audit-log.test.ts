// The verifiable audit log from the outside: checkpoints checked with the public key alone, RFC
// 9162 proofs checked with an independent verifier, and every kind of tampering caught by
// `airlock audit verify`, online and offline.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runCli, startAirlock, type RunningAirlock } from '../support/airlock-process.js';
import { leafOf, openCheckpoint, verifyConsistencyRfc, verifyInclusionRfc } from '../support/rfc9162.js';

const ORIGIN = 'test.airlock.local/audit';
let airlock: RunningAirlock;
let auditor: string;

async function api(p: string) {
  const res = await fetch(`${airlock.adminUrl}${p}`, { headers: { authorization: `Bearer ${auditor}` } });
  assert.equal(res.status, 200, `${p}: ${res.status}`);
  return res;
}

before(async () => {
  airlock = await startAirlock({
    policies: {
      'p.cedar': `permit (principal in Group::"auditors", action == Action::"admin.audit.read", resource == Airlock::"control-plane");`,
    },
    resources: [{ name: 'api', type: 'http', upstream: 'http://127.0.0.1:1' }],
  });
  auditor = await airlock.token({ sub: 'ada', groups: ['auditors'] });
  const other = await airlock.token({ sub: 'mallory' });
  for (let i = 0; i < 20; i++) await fetch(`${airlock.dataUrl}/api/x${i}`, { headers: { authorization: `Bearer ${other}` } });
});

after(async () => {
  await airlock.stop();
});

describe('checkpoints and proofs', () => {
  it('serves a checkpoint that verifies with the public key alone', async () => {
    const note = await (await api('/api/v1/audit/checkpoint')).text();
    const pem = (await runCli(['audit', 'public-key', '--config', airlock.configFile])).stdout;
    const cp = openCheckpoint(note, pem, ORIGIN);
    assert.equal(cp.origin, ORIGIN);
    assert.ok(cp.size >= 21);
  });

  it('prints a C2SP verifier key (vkey) that checks the served checkpoint as Go\'s note package would', async () => {
    const note = await (await api('/api/v1/audit/checkpoint')).text();
    const vkey = (await runCli(['audit', 'public-key', '--format', 'vkey', '--config', airlock.configFile])).stdout.trim();
    // Parsed as sumdb/note's NewVerifier does: name+hash+base64(type || key), hash = the key id;
    // only the first two '+' separate (base64 has '+' of its own).
    const [name, hash] = vkey.split('+', 2) as [string, string];
    const data = vkey.slice(name.length + hash.length + 2);
    assert.equal(name, ORIGIN);
    const keyData = Buffer.from(data, 'base64');
    assert.equal(keyData[0], 0x01, 'Ed25519 signature type');
    const raw = keyData.subarray(1);
    const id = createHash('sha256').update(`${name}\n`).update(Buffer.from([0x01])).update(raw).digest().subarray(0, 4);
    assert.equal(hash, id.toString('hex'));
    const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
    const line = note.split('\n').find((l) => l.startsWith(`\u2014 ${name} `))!;
    const sig = Buffer.from(line.split(' ')[2]!, 'base64');
    assert.deepEqual(sig.subarray(0, 4), id);
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    assert.ok(verify(null, Buffer.from(text), key, sig.subarray(4)), 'the checkpoint signature verifies with the vkey');
    const pem = (await runCli(['audit', 'public-key', '--config', airlock.configFile])).stdout;
    assert.deepEqual(createPublicKey(pem).export({ format: 'jwk' }).x, raw.toString('base64url'));
  });

  it('serves inclusion proofs that an independent RFC 9162 verifier accepts', async () => {
    const records = (await (await api('/api/v1/audit?after=-1&limit=1000')).json()) as { seq: number }[];
    const lines = (await runCli(['audit', 'export', '--config', airlock.configFile])).stdout.trim().split('\n');
    const size = records.length;
    for (const seq of [0, 1, 7, size - 1]) {
      const body = (await (await api(`/api/v1/audit/proof/inclusion?seq=${seq}&size=${size}`)).json()) as { proof: string[]; root: string };
      const proof = body.proof.map((p) => Buffer.from(p, 'base64'));
      assert.ok(verifyInclusionRfc(leafOf(lines[seq]!), seq, size, proof, Buffer.from(body.root, 'base64')), `seq ${seq}`);
      assert.ok(!verifyInclusionRfc(leafOf(lines[seq]! + ' '), seq, size, proof, Buffer.from(body.root, 'base64')));
    }
  });

  it('serves consistency proofs between any two sizes', async () => {
    const records = (await (await api('/api/v1/audit?after=-1&limit=1000')).json()) as unknown[];
    const n = records.length;
    for (const m of [1, 2, 3, 8, n - 1]) {
      const body = (await (await api(`/api/v1/audit/proof/consistency?from=${m}&to=${n}`)).json()) as { proof: string[]; old_root: string; root: string };
      const proof = body.proof.map((p) => Buffer.from(p, 'base64'));
      assert.ok(verifyConsistencyRfc(m, n, proof, Buffer.from(body.old_root, 'base64'), Buffer.from(body.root, 'base64')), `${m} -> ${n}`);
    }
  });

  it('refuses a proof for a size beyond the log with 400', async () => {
    const res = await fetch(`${airlock.adminUrl}/api/v1/audit/proof/inclusion?seq=0&size=999999`, { headers: { authorization: `Bearer ${auditor}` } });
    assert.equal(res.status, 400);
  });
});

describe('audit verify', () => {
  let exportFile: string;
  let checkpointFile: string;
  let keyFile: string;
  let db: string;

  before(async () => {
    const note = await (await api('/api/v1/audit/checkpoint')).text();
    await airlock.stop();
    exportFile = path.join(airlock.dir, 'export.jsonl');
    checkpointFile = path.join(airlock.dir, 'checkpoint.txt');
    keyFile = path.join(airlock.dir, 'audit.pub');
    db = path.join(airlock.dir, 'data/airlock.db');
    await writeFile(checkpointFile, note);
    await writeFile(keyFile, (await runCli(['audit', 'public-key', '--config', airlock.configFile])).stdout);
    assert.equal((await runCli(['audit', 'export', '--config', airlock.configFile, '--out', exportFile])).code, 0);
  });

  const verifyStore = () => runCli(['audit', 'verify', '--config', airlock.configFile, '--checkpoint', checkpointFile]);
  const verifyOffline = (file: string) => runCli(['audit', 'verify', '--export', file, '--checkpoint', checkpointFile, '--public-key', keyFile]);

  /** Runs `fn` on the store, checks verify names `seq`, then restores the store. */
  async function tampered(fn: (d: Database.Database) => void, expect: RegExp) {
    const original = await readFile(db);
    const d = new Database(db);
    fn(d);
    d.close();
    const r = await verifyStore();
    await writeFile(db, original);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, expect);
  }

  it('accepts the untouched store and the untouched export', async () => {
    const online = await verifyStore();
    assert.equal(online.code, 0, online.stderr);
    const offline = await verifyOffline(exportFile);
    assert.equal(offline.code, 0, offline.stderr);
  });

  // Only subtrees of 16+ records are stored, so an edit is named by its block of 16.
  it('names the block of an edited record', () =>
    tampered((d) => d.prepare(`UPDATE audit_records SET line = replace(line, 'mallory', 'alice') WHERE seq = 5`).run(), /records 0\.\.15\b/));

  it('names an edited or deleted stored node', async () => {
    await tampered((d) => d.prepare(`UPDATE audit_nodes SET hash = zeroblob(32) WHERE level = 4 AND idx = 1`).run(), /records 16\.\.31: do not match the stored node 4\/1/);
    await tampered((d) => d.prepare(`DELETE FROM audit_nodes WHERE level = 4 AND idx = 0`).run(), /records 0\.\.15: the stored node 4\/0 is missing/);
  });

  it('names a removed record', () => tampered((d) => d.prepare(`DELETE FROM audit_records WHERE seq = 4`).run(), /record 4\b/));

  it('names reordered records', () =>
    tampered((d) => {
      const a = d.prepare(`SELECT line FROM audit_records WHERE seq = 3`).pluck().get() as string;
      const b = d.prepare(`SELECT line FROM audit_records WHERE seq = 6`).pluck().get() as string;
      d.prepare(`UPDATE audit_records SET line = ? WHERE seq = 3`).run(b);
      d.prepare(`UPDATE audit_records SET line = ? WHERE seq = 6`).run(a);
    }, /record 3\b/));

  it('names an inserted record', () =>
    tampered((d) => {
      const rows = d.prepare(`SELECT seq, line FROM audit_records WHERE seq >= 2 ORDER BY seq DESC`).all() as { seq: number; line: string }[];
      for (const r of rows) d.prepare(`UPDATE audit_records SET seq = ? WHERE seq = ?`).run(r.seq + 1, r.seq);
      d.prepare(`INSERT INTO audit_records(seq, line) VALUES (2, ?)`).run('{"v":1,"seq":2,"kind":"forged"}');
    }, /record 3\b|record 2\b/));

  it('names a truncated store', () =>
    tampered((d) => d.prepare(`DELETE FROM audit_records WHERE seq >= 10`).run(), /truncated|only 10 records/));

  it('catches an edited export offline', async () => {
    const lines = (await readFile(exportFile, 'utf8')).split('\n');
    lines[7] = lines[7]!.replace('mallory', 'alice');
    const edited = path.join(airlock.dir, 'edited.jsonl');
    await writeFile(edited, lines.join('\n'));
    const r = await verifyOffline(edited);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /FAIL/);
  });
});
