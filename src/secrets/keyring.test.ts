import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { AirlockError } from '../lib/errors.js';
import { tempDir } from '../lib/test-temp-dir.js';
import { generateKek, KeyRing } from './keyring.js';

const dir = tempDir('keyring');

describe('KEK keyring', () => {
  it('is created owner-only in an owner-only directory, and reads back the same key', async () => {
    const file = path.join(dir, 'new', 'secrets.kek');
    const created = await KeyRing.create(file);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(path.dirname(file))).mode & 0o777, 0o700);
    const read = (await KeyRing.read(file))!;
    assert.deepEqual(read.ids, created.ids);
    assert.ok(read.kek(created.newest.id)!.equals(created.newest.key));
  });

  it('keeps a keyring another process created first', async () => {
    const file = path.join(dir, 'race.kek');
    const [one, two] = await Promise.all([KeyRing.create(file), KeyRing.create(file)]);
    assert.deepEqual(one.ids, two.ids);
    assert.deepEqual((await KeyRing.read(file))!.ids, one.ids);
  });

  it('reads a missing file as undefined', async () => {
    assert.equal(await KeyRing.read(path.join(dir, 'absent.kek')), undefined);
  });

  it('refuses a damaged file naming the line, never printing a key', async () => {
    const file = path.join(dir, 'damaged.kek');
    const ring = await KeyRing.create(file);
    const text = await readFile(file, 'utf8');
    const key = /kek [0-9a-f]{16} (\S+)/.exec(text)![1]!;
    const edited = text.replace(key, `${key.slice(0, 10)}${key[10] === 'A' ? 'B' : 'A'}${key.slice(11)}`);
    await writeFile(file, edited);
    await assert.rejects(KeyRing.read(file), (e) => e instanceof AirlockError && /line 3: the key does not match its id/.test(e.message) && !e.message.includes(key.slice(0, 10)));
    await writeFile(file, `${text}kek nothex ${key}\n`);
    await assert.rejects(KeyRing.read(file), /line 4 is not "kek <id> <base64 key>"/);
    await writeFile(file, '# empty\n');
    await assert.rejects(KeyRing.read(file), /holds no key/);
    assert.ok(ring.ids.length === 1);
  });

  it('replaces its file atomically, owner-only, leaving no temporary file', async () => {
    const sub = tempDir('keyring-replace');
    const file = path.join(sub, 'secrets.kek');
    const ring = await KeyRing.create(file);
    const next = generateKek();
    await ring.replace([next, ...ring.keks]);
    assert.deepEqual((await KeyRing.read(file))!.ids, [next.id, ring.ids[1]]);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(sub), ['secrets.kek']);
  });
});
