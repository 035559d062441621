// End to end: rotating the audit signing key. Checkpoints signed before the rotation still verify
// once the retired key's public half is listed in audit.previous_public_keys (and offline with a
// second --public-key); without it, verification names the first checkpoint it cannot check.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { openStore } from '../../src/store/index.js';
import { runCli, startAirlock } from '../support/airlock-process.js';

const POLICIES = { 'p.cedar': 'permit (principal, action == Action::"admin.audit.read", resource);' };

async function traffic(adminUrl: string, token: string) {
  for (let i = 0; i < 3; i++) await fetch(`${adminUrl}/api/v1/audit?after=-1&limit=1`, { headers: { authorization: `Bearer ${token}` } });
}

describe('audit key rotation', () => {
  it('keeps old checkpoints verifiable with the retired public key', async () => {
    const first = await startAirlock({ policies: POLICIES, resources: [] });
    await traffic(first.adminUrl, await first.token({ sub: 'a' }));
    assert.equal(await first.stop(), 0);
    const oldPub = (await runCli(['audit', 'public-key', '--config', first.configFile])).stdout;
    await writeFile(path.join(first.dir, 'data/audit-2030.pub'), oldPub);
    await rename(path.join(first.dir, 'data/audit.key'), path.join(first.dir, 'data/audit-2030.key'));

    const second = await startAirlock({ policies: POLICIES, resources: [], dir: first.dir, config: { audit: { signing_key_file: './data/audit.key', origin: 'test.airlock.local/audit', previous_public_keys: ['./data/audit-2030.pub'] } } });
    await traffic(second.adminUrl, await second.token({ sub: 'a' }));
    assert.equal(await second.stop(), 0);
    const ok = await runCli(['audit', 'verify', '--config', second.configFile]);
    assert.equal(ok.code, 0, ok.stderr);

    const exportFile = path.join(first.dir, 'export.jsonl');
    await writeFile(exportFile, (await runCli(['audit', 'export', '--config', second.configFile])).stdout);
    const checkpointFile = path.join(first.dir, 'checkpoint.txt');
    await writeFile(checkpointFile, await latestCheckpoint(second.configFile));
    const newPub = path.join(first.dir, 'data/audit-new.pub');
    await writeFile(newPub, (await runCli(['audit', 'public-key', '--config', second.configFile])).stdout);
    const offline = await runCli(['audit', 'verify', '--export', exportFile, '--checkpoint', checkpointFile, '--public-key', newPub, '--public-key', path.join(first.dir, 'data/audit-2030.pub')]);
    assert.equal(offline.code, 0, offline.stderr);

    const withoutOld = await runCli(['audit', 'verify', '--config', second.configFile, '--public-key', newPub]);
    assert.notEqual(withoutOld.code, 0);
    assert.match(withoutOld.stderr + withoutOld.stdout, /checkpoint at size \d+: note is not signed by key/);
  });
});

/** The store's latest checkpoint, as an auditor would have saved it. */
async function latestCheckpoint(configFile: string): Promise<string> {
  const loaded = await loadConfig(configFile);
  const store = await openStore(loaded.config.store, loaded.baseDir);
  const cp = await store.audit.latestCheckpoint();
  await store.close();
  return cp!.note;
}
