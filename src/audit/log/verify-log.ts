// Audit log, verification: replays the records of a log (from the store or an export file) and
// checks them against signed checkpoints. It promises O(n) hashing in one pass with only a tree
// head in memory, and an error that names the first record or checkpoint that does not match.

import type { KeyObject } from 'node:crypto';
import { checkpointTargets } from './checkpoint-targets.js';
import { leafHash } from './hash.js';
import { EMPTY_HEAD, extendHead, rootHash, type TreeHead } from './tree-head.js';

export interface LogRecord {
  readonly seq: number;
  /** The exact export line (no newline); its UTF-8 bytes are the leaf data. */
  readonly line: string;
}

export interface VerifyLogOptions {
  readonly records: AsyncIterable<LogRecord> | Iterable<LogRecord>;
  /** Signed notes (C2SP tlog-checkpoint), in any order. */
  readonly checkpoints: readonly string[];
  readonly publicKey: KeyObject;
  /** Defaults to the origin of the first checkpoint; every checkpoint must carry it. */
  readonly expectedOrigin?: string;
  /** A checkpoint saved earlier by the verifier: the log must still contain that tree. */
  readonly savedCheckpoint?: string;
  /** Leaf hashes the store holds (level-0 nodes): pinpoints an edited record exactly. */
  readonly storedLeafHashes?: (seq: number) => Buffer | undefined;
}

export type VerifyLogResult =
  /** `checkpointed`: the largest size a signed checkpoint vouches for; later records are not yet signed. */
  | { ok: true; size: number; root: Buffer; checkpointed: number }
  /** `size` counts the records read when the error was found. */
  | { ok: false; size: number; error: string; firstBadSeq?: number };

const BATCH = 4096;

/** Why the record at position `pos` is out of place, if it is. */
function recordProblem(pos: number, seq: number, line: string): string | undefined {
  if (seq !== pos) return `seq is ${seq}, expected ${pos}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return 'line is not valid JSON';
  }
  const declared = (parsed as { seq?: unknown } | null)?.seq;
  if (typeof declared !== 'number') return 'line has no numeric seq';
  return declared === pos ? undefined : `line says seq ${declared}, expected ${pos}`;
}

/** Why a checkpoint's root differs, narrowed by the largest size that did match. */
function mismatch(size: number, matched: number, sameSizeMatched: boolean): string {
  // Two valid signatures on different trees of one size: the log showed different histories.
  if (sameSizeMatched) return 'root differs from another signed checkpoint of the same size (split view)';
  if (size === 0) return 'root is not the empty tree root';
  const where = matched > 0 ? `in seq ${matched}..${size - 1}` : `at or before seq ${size - 1}`;
  return `root mismatch (first differing record ${where})`;
}

/**
 * Replays `records` in order and checks them against every checkpoint. Bad data is reported in
 * the result, never thrown; only a failing record source (a database error) rejects.
 */
export async function verifyLog(options: VerifyLogOptions): Promise<VerifyLogResult> {
  const { records, checkpoints, publicKey, expectedOrigin, savedCheckpoint, storedLeafHashes } = options;
  const planned = checkpointTargets(checkpoints, savedCheckpoint, publicKey, expectedOrigin);
  if ('error' in planned) return { ok: false, size: 0, error: planned.error };
  const { targets } = planned;

  let head: TreeHead = EMPTY_HEAD;
  let pending: Buffer[] = [];
  let next = 0; // first target not yet checked
  let matched = 0; // largest size whose checkpoint matched
  const size = (): number => head.size + pending.length;

  // Compares the tree so far with every target at this size; returns the first mismatch.
  const checkTargets = (): VerifyLogResult | undefined => {
    if (pending.length > 0) [head, pending] = [extendHead(head, pending), []];
    let sameSizeMatched = false;
    for (; next < targets.length && targets[next]!.size === head.size; next++) {
      const { label, root } = targets[next]!;
      if (!rootHash(head).equals(root)) {
        const error = `${label}: ${mismatch(head.size, matched, sameSizeMatched)}`;
        return { ok: false, size: head.size, error };
      }
      [matched, sameSizeMatched] = [head.size, true];
    }
    return undefined;
  };

  let failure = checkTargets();
  if (failure) return failure;
  for await (const { seq, line } of records) {
    const pos = size();
    const problem = recordProblem(pos, seq, line);
    if (problem) return { ok: false, size: pos, error: `record ${pos}: ${problem}`, firstBadSeq: pos };
    const leaf = leafHash(line);
    const stored = storedLeafHashes?.(pos);
    // A stored leaf that disagrees is sure evidence at this record, before any checkpoint says so.
    if (stored && !stored.equals(leaf)) {
      const error = `record ${pos}: line does not match its stored leaf hash (record or stored node edited)`;
      return { ok: false, size: pos, error, firstBadSeq: pos };
    }
    pending.push(leaf);
    if (pending.length >= BATCH || targets[next]?.size === pos + 1) {
      failure = checkTargets();
      if (failure) return failure;
    }
  }
  failure = checkTargets();
  if (failure) return failure;
  const beyond = targets[next];
  if (beyond) {
    return {
      ok: false,
      size: head.size,
      error: `${beyond.label}: the log has only ${head.size} records (truncated)`,
      firstBadSeq: head.size,
    };
  }
  return { ok: true, size: head.size, root: rootHash(head), checkpointed: matched };
}
