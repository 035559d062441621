// End to end: `workers: 2` runs two gateway processes on the same ports and one store. Requests
// spread over both, the audit log stays one gapless, verifiable log, a revoked key is refused by
// every worker within a second, a worker that dies is replaced without losing a committed record,
// and SIGTERM drains them all.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { startDemoUpstream } from '../../src/dev/demo-upstream.js';
import { waitFor } from '../../src/lib/test-wait.js';
import { runCli, startAirlock, type RunningAirlock } from '../support/airlock-process.js';

const exec = promisify(execFile);
let airlock: RunningAirlock;
let upstream: Awaited<ReturnType<typeof startDemoUpstream>>;

before(async () => {
  upstream = await startDemoUpstream(0);
  airlock = await startAirlock({
    policies: { 'p.cedar': `permit (principal == Agent::"ci", action, resource in Resource::"llm");` },
    resources: [{ name: 'llm', type: 'openai', upstream: upstream.url }],
    config: { workers: 2 },
  });
});
after(async () => {
  await airlock?.stop();
  upstream?.server.close();
});

/** One request on its own connection, so the workers share them. */
function get(path: string, token: string): Promise<{ status: number; pid: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${airlock.dataUrl}${path}`, { agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, pid: String(res.headers['airlock-request-id'] ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function workerPids(): Promise<number[]> {
  const { stdout } = await exec('pgrep', ['-P', String(airlock.proc.pid)]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean).map(Number);
}

describe('workers', () => {
  it('serve from two processes on one port with one gapless, verifiable audit log', async () => {
    assert.equal((await workerPids()).length, 2);
    const key = (await runCli(['keys', 'create', '--agent', 'ci', '--config', airlock.configFile])).stdout.trim();
    const answers = await Promise.all(Array.from({ length: 60 }, () => get('/llm/v1/models', key)));
    assert.ok(answers.every((a) => a.status === 200));
    const verify = await runCli(['audit', 'verify', '--config', airlock.configFile]);
    assert.equal(verify.code, 0, verify.stderr);
    const lines = (await runCli(['audit', 'export', '--config', airlock.configFile])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; kind: string });
    assert.deepEqual(lines.map((l) => l.seq), lines.map((_, i) => i), 'gapless');
    assert.equal(lines.filter((l) => l.kind === 'decision').length, 60);
  });

  it('refuses a revoked key on every worker within a second', async () => {
    const key = (await runCli(['keys', 'create', '--agent', 'ci', '--config', airlock.configFile])).stdout.trim();
    assert.equal((await get('/llm/v1/models', key)).status, 200);
    await runCli(['keys', 'revoke', 'ci', '--config', airlock.configFile]);
    await new Promise((r) => setTimeout(r, 1_000));
    const after = await Promise.all(Array.from({ length: 20 }, () => get('/llm/v1/models', key)));
    assert.ok(after.every((a) => a.status === 401), JSON.stringify(after.map((a) => a.status)));
  });

  it('replaces a worker that dies, and drains all of them on SIGTERM', async () => {
    const [victim] = await workerPids();
    process.kill(victim!, 'SIGKILL');
    await waitFor(async () => {
      const pids = await workerPids();
      return pids.length === 2 && !pids.includes(victim!);
    }, 15_000);
    const key = (await runCli(['keys', 'create', '--agent', 'ci', '--config', airlock.configFile])).stdout.trim();
    const answers = await Promise.all(Array.from({ length: 10 }, () => get('/llm/v1/models', key)));
    assert.ok(answers.every((a) => a.status === 200));
    assert.equal(await airlock.stop(), 0);
    assert.equal((await runCli(['audit', 'verify', '--config', airlock.configFile])).code, 0);
  });
});
