// Log verification: an intact log passes, and every kind of tampering (edit, removal, reorder,
// insertion, truncation, a forged or foreign checkpoint, a store's nodes or head that disagree
// with its lines) is caught and named.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { signCheckpoint } from './checkpoint.js';
import { leafHash } from './hash.js';
import { appendLeaves, EMPTY_HEAD, rootHash } from './tree-head.js';
import { verifyLog, type LogRecord, type VerifyLogOptions, type VerifyLogResult } from './verify-log.js';
import type { StoredTree } from './verify-stored.js';

const ORIGIN = 'airlock.test/audit';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const line = (seq: number, who = 'alice'): string => JSON.stringify({ v: 1, seq, kind: 'decision', principal: who });
const LINES = Array.from({ length: 200 }, (_, i) => line(i));

function checkpointOf(lines: readonly string[], size: number): string {
  const { head } = appendLeaves(EMPTY_HEAD, lines.slice(0, size).map((l) => leafHash(l)));
  return signCheckpoint({ origin: ORIGIN, size, root: rootHash(head) }, privateKey);
}
const CHECKPOINTS = [200, 50, 100].map((n) => checkpointOf(LINES, n)); // deliberately unsorted

/** Records as an export file gives them: seq is the line's position. */
async function* exported(lines: readonly string[]): AsyncIterable<LogRecord> {
  for (let i = 0; i < lines.length; i++) yield { seq: i, line: lines[i]! };
}

const run = (lines: readonly string[], extra: Partial<VerifyLogOptions> = {}): Promise<VerifyLogResult> =>
  verifyLog({ records: exported(lines), checkpoints: CHECKPOINTS, publicKey, ...extra });

/** A store's tree of `lines` as store/audit-nodes.ts keeps it: the head and nodes of 16+ leaves. */
function storedTreeOf(lines: readonly string[], drop?: string): StoredTree {
  const { head, nodes } = appendLeaves(EMPTY_HEAD, lines.map((l) => leafHash(l)));
  const kept = new Map(nodes.filter((n) => n.level >= 4).map((n) => [`${n.level}/${n.index}`, n.hash]));
  return {
    head,
    async nodes(keys) {
      return keys.map((k) => {
        const key = `${k.level}/${k.index}`;
        if (key === drop) return 'missing';
        return kept.get(key);
      });
    },
  };
}

function edited(at: number): string[] {
  const copy = [...LINES];
  copy[at] = line(at, 'mallory');
  return copy;
}

describe('verifyLog', () => {
  it('accepts an intact log and reports its size, root and the size checkpoints vouch for', async () => {
    const result = await run(LINES);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.size, 200);
    assert.equal(result.checkpointed, 200);
    assert.deepEqual(result.root, rootHash(appendLeaves(EMPTY_HEAD, LINES.map((l) => leafHash(l))).head));
    assert.ok((await verifyLog({ records: [], checkpoints: [], publicKey })).ok);
  });

  it('names the smallest failing checkpoint when a record is edited', async () => {
    assert.deepEqual(await run(edited(41)), {
      ok: false,
      size: 50,
      error: 'checkpoint at size 50: root mismatch (first differing record at or before seq 49)',
    });
    const later = await run(edited(120));
    assert.equal(!later.ok && later.error, 'checkpoint at size 200: root mismatch (first differing record in seq 100..199)');
  });

  it('accepts an intact log that matches the stored tree', async () => {
    assert.ok((await run(LINES, { stored: storedTreeOf(LINES) })).ok);
  });

  it('names the 16 records around an edited one when its stored node disagrees', async () => {
    const result = await run(edited(41), { stored: storedTreeOf(LINES) });
    assert.deepEqual(result, {
      ok: false,
      size: 50,
      error: 'records 32..47: do not match the stored node 4/2 (a record or the node was edited)',
      firstBadSeq: 32,
    });
  });

  it('catches an edit no checkpoint covers yet through the stored head', async () => {
    const result = await run(edited(198), { checkpoints: [CHECKPOINTS[1]!], stored: storedTreeOf(LINES) });
    assert.equal(!result.ok && result.error, 'records 192..199: do not match the stored head (a record or the head was edited)');
  });

  it('reports a stored node that is missing before a record problem after it', async () => {
    const unordered = [...LINES];
    unordered[40] = line(39);
    const result = await run(unordered, { stored: storedTreeOf(LINES, '4/1') });
    assert.equal(!result.ok && result.error, 'records 16..31: the stored node 4/1 is missing');
  });

  it('names a log shorter than the stored head', async () => {
    const result = await run(LINES.slice(0, 120), { checkpoints: [CHECKPOINTS[1]!], stored: storedTreeOf(LINES) });
    assert.equal(!result.ok && result.error, 'stored head: the log has only 120 of its 200 records (truncated)');
  });

  it('names a removed, reordered or duplicated record by its seq', async () => {
    const removed = LINES.filter((_, i) => i !== 41);
    const reordered = [...LINES.slice(0, 41), LINES[42]!, LINES[41]!, ...LINES.slice(43)];
    const inserted = [...LINES.slice(0, 41), line(41, 'mallory'), ...LINES.slice(41)];
    for (const [lines, error] of [
      [removed, 'record 41: line says seq 42, expected 41'],
      [reordered, 'record 41: line says seq 42, expected 41'],
      [inserted, 'record 42: line says seq 41, expected 42'],
    ] as const) {
      const result = await run(lines);
      assert.equal(!result.ok && result.error, error);
    }
  });

  it('checks the store seq as well as the line', async () => {
    const records = LINES.map((l, i) => ({ seq: i === 41 ? 42 : i, line: l }));
    const result = await verifyLog({ records, checkpoints: CHECKPOINTS, publicKey });
    assert.deepEqual(result, { ok: false, size: 41, error: 'record 41: seq is 42, expected 41', firstBadSeq: 41 });
  });

  it('catches an inserted record whose followers were renumbered', async () => {
    const renumbered = [...LINES.slice(0, 41), line(41, 'mallory'), ...LINES.slice(41, 199).map((_, i) => line(42 + i))];
    const result = await run(renumbered);
    assert.equal(!result.ok && result.error, 'checkpoint at size 50: root mismatch (first differing record at or before seq 49)');
  });

  it('names a truncated log', async () => {
    const result = await run(LINES.slice(0, 150));
    assert.deepEqual(result, {
      ok: false,
      size: 150,
      error: 'checkpoint at size 200: the log has only 150 records (truncated)',
      firstBadSeq: 150,
    });
  });

  it('names records that are not JSON or carry no seq', async () => {
    const notJson = [...LINES];
    notJson[7] = '{"seq":7';
    const noSeq = [...LINES];
    noSeq[8] = '{"kind":"x"}';
    assert.equal(((await run(notJson)) as { error: string }).error, 'record 7: line is not valid JSON');
    assert.equal(((await run(noSeq)) as { error: string }).error, 'record 8: line has no numeric seq');
  });

  it('checks that the log still contains a checkpoint saved earlier', async () => {
    const saved = checkpointOf(LINES, 120);
    assert.ok((await run(LINES, { savedCheckpoint: saved })).ok);
    const forked = checkpointOf(edited(110), 120);
    const result = await run(LINES, { savedCheckpoint: forked });
    assert.equal(!result.ok && result.error, 'saved checkpoint at size 120: root mismatch (first differing record in seq 100..119)');
    const ahead = checkpointOf([...LINES, line(200), line(201)], 202);
    const truncated = await run(LINES, { savedCheckpoint: ahead });
    assert.equal(!truncated.ok && truncated.error, 'saved checkpoint at size 202: the log has only 200 records (truncated)');
  });

  it('refuses forged, foreign and malformed checkpoints before reading records', async () => {
    const forged = CHECKPOINTS[1]!.replace('\n50\n', '\n51\n');
    const other = generateKeyPairSync('ed25519').privateKey;
    const foreign = signCheckpoint({ origin: ORIGIN, size: 100, root: Buffer.alloc(32) }, other);
    const otherOrigin = signCheckpoint({ origin: 'other.log/audit', size: 10, root: Buffer.alloc(32) }, privateKey);
    const cases: [string[], Partial<VerifyLogOptions>, RegExp][] = [
      [[forged], {}, /^checkpoint at size 51: note signature by key airlock\.test\/audit\+[0-9a-f]{8} does not verify$/],
      [[foreign], {}, /^checkpoint at size 100: note is not signed by key airlock\.test\/audit\+/],
      [['garbage'], {}, /^checkpoint #1: note must end with a newline$/],
      [[...CHECKPOINTS, otherOrigin], {}, /^checkpoint at size 10: origin is "other\.log\/audit", expected "airlock\.test\/audit"$/],
      [CHECKPOINTS, { expectedOrigin: 'mine/audit' }, /^checkpoint at size 200: origin is "airlock\.test\/audit", expected "mine\/audit"$/],
    ];
    for (const [checkpoints, extra, error] of cases) {
      const result = await verifyLog({ records: exported(LINES), checkpoints, publicKey, ...extra });
      assert.equal(result.ok, false);
      assert.match((result as { error: string }).error, error);
    }
  });

  it('reports a split view: two signed checkpoints of one size with different roots', async () => {
    const other = signCheckpoint({ origin: ORIGIN, size: 100, root: Buffer.alloc(32) }, privateKey);
    const result = await run(LINES, { checkpoints: [...CHECKPOINTS, other] });
    assert.equal(
      !result.ok && result.error,
      'checkpoint at size 100: root differs from another signed checkpoint of the same size (split view)',
    );
  });
});
