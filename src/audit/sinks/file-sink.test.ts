import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startSinks, type StartSinksOptions } from './start-sinks.js';
import { waitFor } from '../../lib/test-wait.js';
import { appendRecords, silentLog, tempStore } from './test-receiver.js';

const fast: Omit<StartSinksOptions, 'baseDir'> = { log: silentLog, pollMs: 20, backoff: { initialMs: 10, maxMs: 80 } };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(relPath = 'export/nested/audit.jsonl') {
  const t = await tempStore();
  cleanups.push(t.cleanup);
  const file = path.join(t.dir, relPath);
  const start = (opts: Partial<StartSinksOptions> = {}) => {
    const sinks = startSinks([{ type: 'file', path: relPath }], t.store.audit, { ...fast, baseDir: t.dir, ...opts });
    cleanups.push(() => sinks.close());
    return sinks;
  };
  const lines = async () => (await t.store.audit.readAudit(-1, 10_000)).map((r) => r.line);
  const content = () => readFile(file, 'utf8').catch(() => '');
  return { ...t, file, start, lines, content };
}

test('appends the exact record lines as JSON Lines under baseDir, creating directories', async () => {
  const { store, start, lines, content } = await setup();
  await appendRecords(store, 700);
  const sinks = start();
  const want = (await lines()).map((l) => `${l}\n`).join('');
  await waitFor(() => sinks.stats()[0]!.lag === 0 && sinks.stats()[0]!.delivered === 700);
  assert.equal(await content(), want);
});

test('creates the file readable by owner and group only: it is the audit log', async () => {
  const { store, start, file } = await setup();
  await appendRecords(store, 1);
  const sinks = start();
  await waitFor(() => sinks.stats()[0]!.delivered === 1);
  assert.equal((await stat(file)).mode & 0o777, 0o640);
  assert.equal((await stat(path.dirname(file))).mode & 0o007, 0);
});

test('a restart with the cursor behind the file appends those records again (at least once)', async () => {
  const { store, start, lines, content, file } = await setup();
  await appendRecords(store, 5);
  const first = start();
  await waitFor(() => first.stats()[0]!.delivered === 5);
  await first.close();
  await store.audit.setSinkCursor(`file:${file}`, 2, Date.now()); // as if the crash came before the cursor save
  const second = start();
  await waitFor(() => second.stats()[0]!.delivered === 2);
  const all = await lines();
  assert.equal(await content(), [...all, ...all.slice(3)].map((l) => `${l}\n`).join(''));
});

test('a torn last line is closed before new records, so they stay readable', async () => {
  const { store, start, lines, content, file } = await setup('audit.jsonl');
  await writeFile(file, '{"v":1,"seq":99,"kin');
  await appendRecords(store, 3);
  const sinks = start();
  await waitFor(() => sinks.stats()[0]!.delivered === 3);
  const want = (await lines()).map((l) => `${l}\n`).join('');
  assert.equal(await content(), `{"v":1,"seq":99,"kin\n${want}`);
});

test('an unwritable path is retried until it becomes writable', async () => {
  const { store, dir, start, lines, content } = await setup('blocked/audit.jsonl');
  await appendFile(path.join(dir, 'blocked'), 'a file where the directory should be');
  await appendRecords(store, 4);
  const sinks = start();
  await waitFor(() => sinks.stats()[0]!.failures >= 2);
  assert.ok(sinks.stats()[0]!.lastError);
  await rm(path.join(dir, 'blocked'));
  await waitFor(() => sinks.stats()[0]!.delivered === 4);
  assert.equal(await content(), (await lines()).map((l) => `${l}\n`).join(''));
});
