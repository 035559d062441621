// What a PostgreSQL restart does to a running Airlock: nothing fatal. The store talks to the
// server through a TCP relay that the test cuts (every connection reset, new ones refused) and
// restores, which is what clients see when PostgreSQL restarts, without touching a shared server.
// Runs when AIRLOCK_TEST_PG_URL is set, in a throwaway database like the contract suite.
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { leafHash, nodeHash, rootHash } from '../../audit/log/index.js';
import { AirlockError } from '../../lib/errors.js';
import { openPostgresStore } from './index.js';
import { createScratchDatabase } from './scratch-database.js';

const url = process.env.AIRLOCK_TEST_PG_URL;

/** A relay to `target` on a fixed local port that can be taken down and brought back. */
async function relay(target: URL) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const up = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((inbound) => {
        const outbound = net.connect(Number(target.port || 5432), target.hostname);
        for (const s of [inbound, outbound]) {
          sockets.add(s);
          s.on('error', () => {});
          s.on('close', () => sockets.delete(s));
        }
        inbound.pipe(outbound).pipe(inbound);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  const down = () => {
    for (const s of sockets) s.resetAndDestroy();
    return new Promise<void>((resolve) => server!.close(() => resolve()));
  };
  await up();
  return { port, up, down };
}

async function eventually(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    if (await check().catch(() => false)) return;
  }
  assert.fail(`${what} did not happen within ${ms} ms`);
}

const skip = url ? false : 'AIRLOCK_TEST_PG_URL not set';

/** Opens a store through a relay, with another store connected directly (a replica elsewhere). */
async function setup() {
  const scratch = await createScratchDatabase(url!);
  const link = await relay(new URL(scratch.url));
  const viaRelay = new URL(scratch.url);
  viaRelay.hostname = '127.0.0.1';
  viaRelay.port = String(link.port);
  const reports: string[] = [];
  const store = await openPostgresStore(viaRelay.toString(), { onError: (_err, context) => reports.push(context) });
  const other = await openPostgresStore(scratch.url);
  const teardown = async () => {
    await other.close();
    await store.close();
    await link.down().catch(() => {});
    await scratch.drop();
  };
  return { store, other, link, reports, teardown };
}

function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

describe('postgres store through a server restart', () => {
  it('refuses with store_unavailable while the server is gone and recovers on its own', { skip }, async () => {
    const { store, other, link, reports, teardown } = await setup();
    try {
      const heard: string[] = [];
      store.changes.subscribe((topic, payload) => heard.push(`${topic}:${payload}`));
      await store.audit.appendAudit([{ kind: 'before' }]);

      await link.down();
      assert.equal(await store.ping(), false);
      const unavailable = (err: unknown) => err instanceof AirlockError && err.code === 'store_unavailable';
      await assert.rejects(store.audit.appendAudit([{ kind: 'during' }]), unavailable);
      await assert.rejects(store.keys.keysVersion(), unavailable);
      await assert.rejects(store.approvals.castVote('a', { approver: { type: 'User', id: 'x' }, vote: 'approve', reason: '', time: '' }, 0, 0), unavailable);
      assert.ok(reports.some((r) => r.includes('change feed')), 'the lost listener was reported, not thrown');

      await link.up();
      await eventually('ping answering again', () => store.ping());
      const after = await store.audit.appendAudit([{ kind: 'after' }]);
      assert.deepEqual(after.map((r) => r.seq), [1], 'the failed batch left no gap');
      // The listener reconnects with backoff; once it is back it hears the other replica again.
      await eventually('the change feed hearing another replica', async () => {
        await other.changes.publish('keys', 'after-restart');
        await new Promise((r) => setTimeout(r, 100));
        return heard.includes('keys:after-restart');
      });
    } finally {
      await teardown();
    }
  });

  it('keeps the log gap-free and its tree whole when appends race repeated outages', { skip }, async () => {
    const { store, other, link, teardown } = await setup();
    try {
      let stop = false;
      const failures: unknown[] = [];
      const writer = async (s: typeof store) => {
        while (!stop) await s.audit.appendAudit([{ kind: 'a' }, { kind: 'b' }, { kind: 'c' }]).catch((err: unknown) => failures.push(err));
      };
      const writers = [writer(store), writer(store), writer(other)];
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 150));
        await link.down();
        await new Promise((r) => setTimeout(r, 150));
        await link.up();
      }
      await eventually('appends through the relay succeeding again', async () => (await store.audit.appendAudit([{ kind: 'z' }])).length === 1);
      stop = true;
      await Promise.all(writers);
      assert.ok(failures.length > 0 && failures.every((e) => e instanceof AirlockError && e.code === 'store_unavailable'), 'outages surface as store_unavailable');
      const head = await other.audit.auditHead();
      const lines = (await other.audit.readAudit(-1, head.size + 1)).map((r, i) => (assert.equal(r.seq, i), r.line));
      assert.equal(lines.length, head.size);
      assert.deepEqual(rootHash(head), mth(lines.map((l) => leafHash(l))));
    } finally {
      await teardown();
    }
  });
});
