// Issue 19, finding 12, for `airlock keys`: an API key is never created or revoked without its
// audit record. The log fails the way a database fails (a trigger on the real SQLite file refuses
// audit inserts); the CLI must then say so, print no key, and change nothing.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { tempDir } from '../../src/lib/test-temp-dir.js';
import { runCli } from '../support/airlock-process.js';

async function setup() {
  const dir = tempDir('keys-audit');
  const configFile = path.join(dir, 'airlock.yaml');
  await writeFile(
    configFile,
    stringify({
      store: 'sqlite:./data/airlock.db',
      identity: { oidc: [] },
      policy: { dir: './policies' },
      resources: [],
    }),
  );
  const cli = (...args: string[]) => runCli([...args, '--config', configFile]);
  const db = () => new Database(path.join(dir, 'data', 'airlock.db'));
  return { cli, db };
}

describe('airlock keys when the audit log fails (finding 12)', () => {
  it('creates and revokes a key only together with its audit record', async () => {
    const { cli, db } = await setup();
    const first = await cli('keys', 'create', '--agent', 'bot');
    assert.equal(first.code, 0, first.stderr);

    const admin = db();
    admin.exec(`CREATE TRIGGER injected_failure BEFORE INSERT ON audit_records BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    const refused = await cli('keys', 'create', '--agent', 'other');
    assert.notEqual(refused.code, 0);
    assert.equal(refused.stdout, '', 'no key is shown that was not stored');
    const revoke = await cli('keys', 'revoke', 'bot');
    assert.notEqual(revoke.code, 0);
    const list = await cli('keys', 'list');
    assert.match(list.stdout, /bot .* active/);
    assert.doesNotMatch(list.stdout, /other/);

    admin.exec(`DROP TRIGGER injected_failure`);
    assert.equal((await cli('keys', 'revoke', 'bot')).code, 0);
    const kinds = (admin.prepare(`SELECT line FROM audit_records ORDER BY seq`).pluck().all() as string[]).map((l) => {
      const r = JSON.parse(l) as { kind: string; agent: string };
      return `${r.kind} ${r.agent}`;
    });
    admin.close();
    assert.deepEqual(kinds, ['key_created bot', 'key_revoked bot']);
  });
});
