import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSinks, type Sinks, type StartSinksOptions } from './start-sinks.js';
import { batchBody } from './webhook-sink.js';
import { Receiver, SECRET, appendRecords, dedupe, range, silentLog, sleep, tempStore } from './test-receiver.js';
import { waitFor } from '../../lib/test-wait.js';

const fast: Omit<StartSinksOptions, 'baseDir'> = { log: silentLog, pollMs: 20, backoff: { initialMs: 10, maxMs: 80 } };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(answer: number | 'hang' = 200) {
  const t = await tempStore();
  const receiver = await new Receiver().listen();
  receiver.answer = answer;
  cleanups.push(t.cleanup, () => receiver.close());
  const start = (opts: Partial<StartSinksOptions> = {}): Sinks => {
    const sinks = startSinks([{ type: 'webhook', url: receiver.url, secret: SECRET }], t.store.audit, { ...fast, baseDir: t.dir, ...opts });
    cleanups.push(() => sinks.close());
    return sinks;
  };
  return { ...t, receiver, start };
}

test('delivers every record in seq order as signed JSON arrays of the exact lines', async () => {
  const { store, receiver, start } = await setup();
  await appendRecords(store, 1200);
  const sinks = start();
  await waitFor(() => receiver.accepted().length >= 1200);
  assert.deepEqual(receiver.accepted(), range(0, 1200));
  assert.deepEqual(receiver.problems, []);
  assert.ok(receiver.requests.every((r) => r.seqs.length <= 500), 'batches of at most 500');
  for (const r of receiver.requests) {
    assert.equal(r.body, batchBody(await store.audit.readAudit(r.seqs[0]! - 1, r.seqs.length)));
  }
  await waitFor(() => sinks.lag()[`webhook:${receiver.url}`] === 0);
  assert.equal(await store.audit.sinkCursor(`webhook:${receiver.url}`), 1199);
});

test('a nudge delivers a new record without waiting for the next poll', async () => {
  const { store, receiver, start } = await setup();
  const sinks = start({ pollMs: 60_000 });
  await sleep(50); // first poll done: now idle for a minute
  await appendRecords(store, 1);
  sinks.nudge();
  await waitFor(() => receiver.accepted().length === 1, 1_000);
});

test('a sink answering 503 for a while gets everything in order once it recovers', async () => {
  const { store, receiver, start } = await setup(503);
  const failures: unknown[] = [];
  await appendRecords(store, 30);
  const sinks = start({ onFailure: (_s, err) => failures.push(err), batchSize: 7 });
  await waitFor(() => failures.length >= 3);
  const [stats] = sinks.stats();
  assert.equal(stats!.lag, 30);
  assert.match(stats!.lastError!, /503/);
  await appendRecords(store, 20, 30);
  receiver.answer = 200;
  await waitFor(() => dedupe(receiver.accepted()).length >= 50);
  assert.deepEqual(dedupe(receiver.accepted()), range(0, 50), 'nothing skipped, nothing reordered');
  for (const r of receiver.requests) assert.deepEqual(r.seqs, range(r.seqs[0]!, r.seqs[0]! + r.seqs.length));
  await waitFor(() => sinks.stats()[0]!.lag === 0);
  assert.equal(sinks.stats()[0]!.lastError, undefined);
});

test('a sink refusing connections is retried until it listens again', async () => {
  const { store, receiver, start } = await setup();
  await receiver.close(); // the port is now refused
  const sinks = start();
  await appendRecords(store, 25);
  await waitFor(() => sinks.stats()[0]!.failures >= 3);
  await receiver.listen(); // same port
  await waitFor(() => dedupe(receiver.accepted()).length >= 25);
  assert.deepEqual(dedupe(receiver.accepted()), range(0, 25));
});

test('a sink that accepts and never answers times out and is retried', async () => {
  const { store, receiver, start } = await setup('hang');
  const sinks = start({ timeoutMs: 100 });
  await appendRecords(store, 5);
  await waitFor(() => sinks.stats()[0]!.failures >= 2);
  receiver.answer = 200;
  await waitFor(() => receiver.accepted().length >= 5);
  assert.deepEqual(dedupe(receiver.accepted()), range(0, 5));
});

test('a restart resumes after the last acknowledged record without re-sending it', async () => {
  const { store, receiver, start } = await setup();
  await appendRecords(store, 40);
  const first = start();
  await waitFor(() => receiver.accepted().length === 40);
  await first.close();
  const before = receiver.requests.length;
  await appendRecords(store, 15, 40);
  start();
  await waitFor(() => receiver.accepted().length >= 55);
  await sleep(100);
  assert.deepEqual(receiver.requests.slice(before).flatMap((r) => r.seqs), range(40, 55));
});

test('close is bounded even while a delivery hangs, and that batch is sent again later', async () => {
  const { store, receiver, start } = await setup('hang');
  await appendRecords(store, 3);
  const sinks = start({ timeoutMs: 60_000, closeTimeoutMs: 100 });
  await sleep(50);
  const t0 = Date.now();
  await sinks.close();
  assert.ok(Date.now() - t0 < 1_000, `close took ${Date.now() - t0} ms`);
  assert.equal(await store.audit.sinkCursor(`webhook:${receiver.url}`), -1);
  receiver.answer = 200;
  start();
  await waitFor(() => receiver.accepted().length === 3);
});

test('a throwing callback does not stop delivery', async () => {
  const { store, receiver, start } = await setup();
  start({ onDelivered: () => { throw new Error('metrics broke'); }, batchSize: 3 });
  await appendRecords(store, 10);
  await waitFor(() => receiver.accepted().length === 10);
});

test('a dead sink does not slow appends down', async (t) => {
  const time = async (store: Awaited<ReturnType<typeof tempStore>>['store']) => {
    const t0 = performance.now();
    await appendRecords(store, 1000);
    return performance.now() - t0;
  };
  const plain = await setup();
  await time(plain.store); // warm-up
  const baseline = await time(plain.store);
  const dead = await setup(503);
  await appendRecords(dead.store, 600); // a full failing batch to re-read on every retry
  dead.start({ backoff: { initialMs: 5, maxMs: 20 }, pollMs: 5 });
  // The sink is down and retrying, its failing batch re-read each time, before the appends are
  // timed. (A fixed sleep was too short on a slow machine: the appends below never yield to the
  // event loop, so retries cannot be counted during them.)
  await waitFor(() => dead.receiver.requests.length > 3);
  const withDeadSink = await time(dead.store);
  t.diagnostic(`1000 appends: ${baseline.toFixed(0)} ms without a sink, ${withDeadSink.toFixed(0)} ms with a dead one (${dead.receiver.requests.length} failed deliveries)`);
  assert.ok(dead.receiver.requests.length > 3, 'the sink kept retrying meanwhile');
  assert.ok(withDeadSink < baseline * 2 + 250, `appends took ${withDeadSink.toFixed(0)} ms with a dead sink, ${baseline.toFixed(0)} ms without`);
});
