// `airlock serve` as a process: refusing a bad config, and draining on SIGTERM.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startDemoUpstream } from '../../src/dev/demo-upstream.js';
import { runCli, startAirlock } from '../support/airlock-process.js';
import { tempDir } from '../../src/lib/test-temp-dir.js';

describe('airlock serve', () => {
  it('refuses a bad config with exit 2 and one line per problem naming the key', async () => {
    const dir = tempDir('bad');
    const file = path.join(dir, 'airlock.yaml');
    await writeFile(file, 'resources:\n  - {name: llm, type: openai, upstream: "http://x"}\n  - {name: b, type: http, upstream: "not a url"}\nbogus: 1\n');
    const r = await runCli(['serve', '--config', file]);
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split('\n').sort();
    assert.deepEqual(lines, ['bogus: unknown key', 'resources[1].upstream: must be an http(s) URL']);
  });

  it('refuses an invalid policy bundle with exit 2, naming the file', async () => {
    const r = await startAirlock({ policies: { 'bad.cedar': 'permit(principal, action, resource' }, resources: [] }).catch((e: Error) => e);
    assert.ok(r instanceof Error);
    assert.match(r.message, /exited with 2/);
    assert.match(r.message, /bad\.cedar/);
  });

  it('finishes an in-flight streaming response on SIGTERM, then exits 0', async () => {
    const upstream = await startDemoUpstream(0, '127.0.0.1', 150);
    const airlock = await startAirlock({
      policies: { 'p.cedar': 'permit(principal, action, resource in Resource::"llm");' },
      resources: [{ name: 'llm', type: 'openai', upstream: upstream.url }],
    });
    const token = await airlock.token({ sub: 'alice' });
    const res = await fetch(`${airlock.dataUrl}/llm/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', stream: true, messages: [] }),
    });
    assert.equal(res.status, 200);
    const exit = airlock.stop('SIGTERM');
    const text = await res.text();
    assert.match(text, /data: \[DONE\]/);
    assert.equal(await exit, 0);
    const exported = await runCli(['audit', 'export', '--config', airlock.configFile]);
    const kinds = exported.stdout.trim().split('\n').map((l) => JSON.parse(l).kind);
    assert.ok(kinds.includes('outcome'), 'the outcome record was flushed before exit');
    upstream.server.close();
  });
});
