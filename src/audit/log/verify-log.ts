// Audit log, verification: replays the records of a log (from the store or an export file) and
// checks them against signed checkpoints and, given one, the store's own tree. It promises O(n)
// hashing in one pass with only a tree head in memory, and an error that names the first record,
// stored node or checkpoint that does not match.

import type { KeyObject } from 'node:crypto';
import { checkpointTargets } from './checkpoint-targets.js';
import { leafHash } from './hash.js';
import { appendLeaves, EMPTY_HEAD, extendHead, rootHash, type TreeHead } from './tree-head.js';
import { storedHeadProblem, storedNodeProblem, type StoredTree, type StoredTreeProblem } from './verify-stored.js';

export interface LogRecord {
  readonly seq: number;
  /** The exact export line (no newline); its UTF-8 bytes are the leaf data. */
  readonly line: string;
}

export interface VerifyLogOptions {
  readonly records: AsyncIterable<LogRecord> | Iterable<LogRecord>;
  /** Signed notes (C2SP tlog-checkpoint), in any order. */
  readonly checkpoints: readonly string[];
  /** The signing key's public half, and after rotations the retired ones. */
  readonly publicKey: KeyObject | readonly KeyObject[];
  /** Defaults to the origin of the first checkpoint; every checkpoint must carry it. */
  readonly expectedOrigin?: string;
  /** A checkpoint saved earlier by the verifier: the log must still contain that tree. */
  readonly savedCheckpoint?: string;
  /** The tree the store keeps beside the records: each node and the head it holds must match the replay. */
  readonly stored?: StoredTree;
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
 * Replays `records` in order and checks them against every checkpoint and the stored tree. Bad
 * data is reported in the result, never thrown; only a failing record or node source (a database
 * error) rejects.
 */
export async function verifyLog(options: VerifyLogOptions): Promise<VerifyLogResult> {
  const { records, checkpoints, publicKey, expectedOrigin, savedCheckpoint, stored } = options;
  const planned = checkpointTargets(checkpoints, savedCheckpoint, publicKey, expectedOrigin);
  if ('error' in planned) return { ok: false, size: 0, error: planned.error };
  const { targets } = planned;

  let head: TreeHead = EMPTY_HEAD;
  let pending: Buffer[] = [];
  let next = 0; // first target not yet checked
  let matched = 0; // largest size whose checkpoint matched
  const size = (): number => head.size + pending.length;

  // Adds the pending leaves to the tree and holds what they complete to the stored tree.
  const extend = async (): Promise<VerifyLogResult | undefined> => {
    let problem: StoredTreeProblem | undefined;
    if (pending.length > 0 && stored) {
      const added = appendLeaves(head, pending);
      [head, pending] = [added.head, []];
      problem = await storedNodeProblem(added.nodes, stored);
    } else if (pending.length > 0) {
      [head, pending] = [extendHead(head, pending), []];
    }
    if (!problem && stored && head.size === stored.head.size) problem = storedHeadProblem(head, stored.head);
    return problem && { ok: false, size: head.size, ...problem };
  };

  // Extends the tree, then compares it with every target at this size; returns the first mismatch.
  const checkTargets = async (): Promise<VerifyLogResult | undefined> => {
    const problem = await extend();
    if (problem) return problem;
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

  let failure = await checkTargets();
  if (failure) return failure;
  for await (const { seq, line } of records) {
    const pos = size();
    const problem = recordProblem(pos, seq, line);
    // Records before this one may complete a stored node that already disagrees: that comes first.
    if (problem) return (await extend()) ?? { ok: false, size: pos, error: `record ${pos}: ${problem}`, firstBadSeq: pos };
    pending.push(leafHash(line));
    if (pending.length >= BATCH || targets[next]?.size === pos + 1 || stored?.head.size === pos + 1) {
      failure = await checkTargets();
      if (failure) return failure;
    }
  }
  failure = await checkTargets();
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
  if (stored && head.size < stored.head.size) {
    const error = `stored head: the log has only ${head.size} of its ${stored.head.size} records (truncated)`;
    return { ok: false, size: head.size, error, firstBadSeq: head.size };
  }
  return { ok: true, size: head.size, root: rootHash(head), checkpointed: matched };
}
