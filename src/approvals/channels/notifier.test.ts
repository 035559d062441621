// Delivery: retries with backoff until a receiver recovers, gives up on permanent refusals, and
// never lets one channel (or the network at all) hold up the caller or another channel.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createNotifier, type NotifyOutcome } from './notifier.js';
import type { ChannelConfig } from './schema.js';
import { approval, type Receiver, silentLog, startReceiver } from './test-support.js';

const backoff = { initialMs: 10, maxMs: 40, maxAttempts: 4 };
const receivers: Receiver[] = [];
after(() => Promise.all(receivers.map((r) => r.close())));
async function receiver(answer?: (n: number) => number | null) {
  const r = await startReceiver(answer);
  receivers.push(r);
  return r;
}
const webhook = (url: string): ChannelConfig => ({ type: 'webhook', url, secret: 's' });

function collector() {
  const outcomes: NotifyOutcome[] = [];
  const waiters: Array<() => void> = [];
  return {
    outcomes,
    onOutcome: (o: NotifyOutcome) => {
      outcomes.push(o);
      waiters.splice(0).forEach((w) => w());
    },
    async waitFor(n: number) {
      while (outcomes.length < n) await new Promise<void>((r) => waiters.push(r));
      return outcomes;
    },
  };
}

describe('notifier', () => {
  it('retries a receiver that fails twice and reports ok after 3 attempts', async () => {
    const flaky = await receiver((n) => (n <= 2 ? 503 : 200));
    const c = collector();
    const notifier = createNotifier([webhook(flaky.url)], { consoleUrl: 'http://c', log: silentLog, onOutcome: c.onOutcome, backoff });
    notifier.notify('approval.created', approval);
    const [o] = await c.waitFor(1);
    assert.equal(flaky.received.length, 3);
    assert.deepEqual({ ok: o!.ok, attempts: o!.attempts, error: o!.error }, { ok: true, attempts: 3, error: undefined });
    // Each attempt is signed afresh but is the same delivery.
    assert.equal(new Set(flaky.received.map((r) => r.headers['airlock-delivery'])).size, 1);
    await notifier.close();
  });

  it('gives up after maxAttempts and reports the last error', async () => {
    const down = await receiver(() => 500);
    const c = collector();
    const notifier = createNotifier([webhook(down.url)], { consoleUrl: 'http://c', log: silentLog, onOutcome: c.onOutcome, backoff });
    notifier.notify('approval.denied', approval);
    const [o] = await c.waitFor(1);
    assert.deepEqual({ ok: o!.ok, attempts: o!.attempts, event: o!.event }, { ok: false, attempts: 4, event: 'approval.denied' });
    assert.match(o!.error!, /^HTTP 500/);
    await notifier.close();
  });

  it('does not retry a permanent refusal such as a revoked webhook (404)', async () => {
    const gone = await receiver(() => 404);
    const c = collector();
    const notifier = createNotifier([webhook(gone.url)], { consoleUrl: 'http://c', log: silentLog, onOutcome: c.onOutcome, backoff });
    notifier.notify('approval.created', approval);
    const [o] = await c.waitFor(1);
    assert.deepEqual({ ok: o!.ok, attempts: o!.attempts }, { ok: false, attempts: 1 });
    await notifier.close();
  });

  it('returns at once and lets a healthy channel deliver while another hangs', async () => {
    const hung = await receiver(() => null);
    const healthy = await receiver();
    const c = collector();
    const notifier = createNotifier([webhook(hung.url), { type: 'teams', url: healthy.url }], {
      consoleUrl: 'http://c',
      log: silentLog,
      onOutcome: c.onOutcome,
      backoff,
      timeoutMs: 2_000,
    });
    const sentAt = Date.now();
    const t0 = performance.now();
    notifier.notify('approval.created', approval);
    assert.ok(performance.now() - t0 < 5, 'notify must not wait for the network');
    const [got] = await healthy.waitFor(1);
    assert.ok(got!.at - sentAt < 500, 'the healthy channel is not held up by the hung one');
    const [o] = await c.waitFor(1);
    assert.equal(o!.channel, `teams:${new URL(healthy.url).host}`);
    assert.equal(o!.ok, true);
    // The hung channel is still in flight; closing abandons it and reports it.
    await notifier.close(50);
    const hungOutcome = c.outcomes.find((x) => x.channel.startsWith('webhook:'));
    assert.equal(hungOutcome?.ok, false);
  });

  it('reports an unreachable channel without throwing to the caller', async () => {
    const closed = await startReceiver();
    await closed.close();
    const c = collector();
    const notifier = createNotifier([webhook(closed.url)], { consoleUrl: 'http://c', log: silentLog, onOutcome: c.onOutcome, backoff });
    assert.doesNotThrow(() => notifier.notify('approval.expired', approval));
    const [o] = await c.waitFor(1);
    assert.deepEqual({ ok: o!.ok, attempts: o!.attempts }, { ok: false, attempts: 4 });
    assert.match(o!.error!, /ECONNREFUSED/);
    await notifier.close();
  });

  it('reports events notified after close instead of sending them', async () => {
    const r = await receiver();
    const c = collector();
    const notifier = createNotifier([webhook(r.url)], { consoleUrl: 'http://c', log: silentLog, onOutcome: c.onOutcome, backoff });
    await notifier.close();
    notifier.notify('approval.used', approval);
    const [o] = await c.waitFor(1);
    assert.deepEqual({ ok: o!.ok, error: o!.error }, { ok: false, error: 'notifier closed' });
    assert.equal(r.received.length, 0);
  });
});
