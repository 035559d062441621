import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { tempDir } from '../lib/test-temp-dir.js';
import { waitFor } from '../lib/test-wait.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { bindSecrets } from './bind-config.js';
import { LiveSecrets } from './live-secrets.js';
import { scanSecretReferences } from './references.js';
import { SecretVault } from './vault.js';

const log = pino({ level: 'silent' });

async function setup() {
  const dir = tempDir('live-secrets');
  const dbFile = path.join(dir, 'store.db');
  const kekFile = path.join(dir, 'secrets.kek');
  const store = openSqliteStore(dbFile);
  const vault = await SecretVault.open(store.secrets, kekFile);
  // Another process (the CLI) on the same file: its puts reach the gateway by the poll only.
  const cli = await SecretVault.open(openSqliteStore(dbFile).secrets, kekFile);
  const tampered: string[] = [];
  const start = (names: string[]) => LiveSecrets.start(vault, names, { changes: store.changes, log, pollMs: 20, onTampered: (n, v) => tampered.push(`${n}@${v}`) });
  return { dbFile, store, vault, cli, tampered, start };
}

describe('live secrets', () => {
  it('render the current values, and a version put by another process after the next poll', async () => {
    const { cli, start } = await setup();
    await cli.put('key', Buffer.from('one'));
    const { live, unusable } = await start(['key']);
    assert.equal(unusable.size, 0);
    assert.equal(live.render('Bearer ${secret:key}'), 'Bearer one');
    const generation = live.generation;
    await cli.put('key', Buffer.from('two'));
    await waitFor(() => live.generation !== generation);
    assert.equal(live.render('Bearer ${secret:key}'), 'Bearer two');
    live.close();
  });

  it('name what cannot be used at start: missing, or not text', async () => {
    const { cli, start } = await setup();
    await cli.put('binary', Buffer.from([0xff, 0xfe, 0x00]));
    const { live, unusable } = await start(['binary', 'absent']);
    assert.deepEqual([...unusable], [['binary', 'not_text'], ['absent', 'missing']]);
    live.close();
  });

  it('drop a deleted secret, so what needs it fails closed, and take it back when it is put again', async () => {
    const { cli, start } = await setup();
    await cli.put('key', Buffer.from('one'));
    const { live } = await start(['key']);
    const generation = live.generation;
    await cli.delete('key');
    await waitFor(() => live.generation !== generation);
    assert.throws(() => live.render('${secret:key}'), /not available/);
    await cli.put('key', Buffer.from('back'));
    await waitFor(() => { try { return live.render('${secret:key}') === 'back'; } catch { return false; } });
    live.close();
  });

  it('never use a tampered version: the last good one stays, and it is reported once', async () => {
    const { cli, start, dbFile, tampered, store } = await setup();
    await cli.put('key', Buffer.from('good'));
    await cli.put('other', Buffer.from('x'));
    const { live } = await start(['key']);
    const db = new Database(dbFile);
    const donor = db.prepare(`SELECT kek_id, wrapped_key, ciphertext FROM secret_versions WHERE name = 'other'`).get() as Record<string, unknown>;
    db.prepare(`INSERT INTO secret_versions VALUES ('key', 2, @kek_id, @wrapped_key, @ciphertext, 0)`).run(donor);
    db.prepare(`UPDATE counters SET value = value + 1 WHERE name = 'secrets'`).run();
    db.close();
    await waitFor(() => tampered.length > 0);
    await store.changes.publish('secrets', 'key');
    await live.refresh();
    assert.deepEqual(tampered, ['key@2']);
    assert.equal(live.render('${secret:key}'), 'good');
    live.close();
  });

  it('bind credential values of the config as live accessors, leaving the rest as it was', async () => {
    const { cli, start } = await setup();
    await cli.put('hook', Buffer.from('h1'));
    const config = Object.freeze({ approvals: Object.freeze({ notify: Object.freeze([Object.freeze({ type: 'webhook', url: 'http://x', secret: 'v1:${secret:hook}' })]) }) });
    const { live } = await start(['hook']);
    const bound = bindSecrets(config, scanSecretReferences(config).references, live);
    assert.equal(bound.approvals.notify[0]!.secret, 'v1:h1');
    assert.equal(bound.approvals.notify[0]!.url, 'http://x');
    assert.equal(config.approvals.notify[0]!.secret, 'v1:${secret:hook}', 'the parsed config is untouched');
    assert.ok(Object.isFrozen(bound.approvals.notify[0]));
    const generation = live.generation;
    await cli.put('hook', Buffer.from('h2'));
    await waitFor(() => live.generation !== generation);
    assert.equal(bound.approvals.notify[0]!.secret, 'v1:h2');
    live.close();
  });
});
