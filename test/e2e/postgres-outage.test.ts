// PostgreSQL stopping and starting under a running gateway: requests that need the store are
// refused with 503 (fail closed), /readyz says not ready, and the gateway recovers by itself when
// the server returns, with a gap-free log that still verifies. Stops the real local server, so it
// runs only where the test may control it (root with pg_ctlcluster, server on 127.0.0.1).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { startDemoUpstream } from '../../src/dev/demo-upstream.js';
import { createScratchDatabase } from '../../src/store/postgres/scratch-database.js';
import { runCli, startAirlock } from '../support/airlock-process.js';

const PG = process.env.AIRLOCK_TEST_PG_URL;
const controllable = Boolean(PG) && existsSync('/etc/postgresql') && process.getuid?.() === 0 && /@(127\.0\.0\.1|localhost)[:/]/.test(PG ?? '');
const skip = controllable ? false : 'needs AIRLOCK_TEST_PG_URL on a local server this test may stop (root, pg_ctlcluster)';

function cluster(action: 'start' | 'stop'): void {
  const version = readdirSync('/etc/postgresql')[0]!;
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action, ...(action === 'stop' ? ['-m', 'fast'] : [])], { stdio: 'ignore' });
}

async function until(fn: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

describe('PostgreSQL outage', { skip }, () => {
  it('fails closed while the server is down and recovers without a restart', async () => {
    const db = await createScratchDatabase(PG!);
    const upstream = await startDemoUpstream(0);
    const airlock = await startAirlock({
      policies: { 'p.cedar': 'permit (principal, action == Action::"model.list", resource);' },
      resources: [{ name: 'llm', type: 'openai', upstream: upstream.url }],
      config: { store: db.url },
    });
    const token = await airlock.token({ sub: 'alice' });
    const list = async () => (await fetch(`${airlock.dataUrl}/llm/v1/models`, { headers: { authorization: `Bearer ${token}` } })).status;
    const ready = async () => (await fetch(`${airlock.adminUrl}/readyz`)).status;
    try {
      assert.equal(await list(), 200);
      const hitsBefore = upstreamHits(upstream);
      cluster('stop');
      try {
        assert.equal(await list(), 503, 'refused while the store is down');
        assert.equal(upstreamHits(upstream), hitsBefore, 'nothing forwarded without a durable record');
        assert.ok(await until(async () => (await ready()) === 503, 5000), '/readyz reports not ready');
      } finally {
        cluster('start');
      }
      assert.ok(await until(async () => (await ready()) === 200, 30_000), 'ready again without a restart');
      assert.ok(await until(async () => (await list()) === 200, 10_000), 'serving again');
    } finally {
      await airlock.stop();
      upstream.server.close();
    }
    const records = (await runCli(['audit', 'export', '--config', airlock.configFile])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { seq: number });
    records.forEach((r, i) => assert.equal(r.seq, i));
    const verified = await runCli(['audit', 'verify', '--config', airlock.configFile]);
    assert.equal(verified.code, 0, verified.stderr);
    await db.drop();
  });
});

const hits = new WeakMap<object, number>();
function upstreamHits(upstream: { server: import('node:http').Server }): number {
  if (!hits.has(upstream)) {
    hits.set(upstream, 0);
    upstream.server.on('request', () => hits.set(upstream, (hits.get(upstream) ?? 0) + 1));
  }
  return hits.get(upstream)!;
}
