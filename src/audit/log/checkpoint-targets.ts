// Audit log, verification targets: turns the signed checkpoints a verifier is given into the
// (size, root) pairs the recomputed tree must match. Every signature is checked before any
// record is read, and all checkpoints must name one origin, so a validly signed checkpoint of
// another log cannot stand in for this one.

import type { KeyObject } from 'node:crypto';
import { parseCheckpoint, verifyCheckpoint } from './checkpoint.js';

export interface CheckpointTarget {
  /** How errors name it: "checkpoint at size 100" or "saved checkpoint at size 100". */
  readonly label: string;
  readonly size: number;
  readonly root: Buffer;
}

function describe(text: string, fallback: string, saved: boolean): string {
  try {
    return `${saved ? 'saved ' : ''}checkpoint at size ${parseCheckpoint(text).size}`;
  } catch {
    return fallback;
  }
}

/** Verified targets sorted by size, or the error naming the first checkpoint that fails. */
export function checkpointTargets(
  checkpoints: readonly string[],
  savedCheckpoint: string | undefined,
  publicKey: KeyObject | readonly KeyObject[],
  expectedOrigin: string | undefined,
): { targets: CheckpointTarget[] } | { error: string } {
  const inputs = checkpoints.map((text, i) => ({ text, saved: false, fallback: `checkpoint #${i + 1}` }));
  if (savedCheckpoint !== undefined) {
    inputs.push({ text: savedCheckpoint, saved: true, fallback: 'saved checkpoint' });
  }
  let origin = expectedOrigin;
  const targets: CheckpointTarget[] = [];
  for (const { text, saved, fallback } of inputs) {
    const label = describe(text, fallback, saved);
    let checkpoint;
    try {
      checkpoint = verifyCheckpoint(text, publicKey);
    } catch (err) {
      return { error: `${label}: ${(err as Error).message}` };
    }
    origin ??= checkpoint.origin;
    if (checkpoint.origin !== origin) {
      const [got, want] = [checkpoint.origin, origin].map((o) => JSON.stringify(o));
      return { error: `${label}: origin is ${got}, expected ${want}` };
    }
    targets.push({ label, size: checkpoint.size, root: checkpoint.root });
  }
  // Stable sort: at one size, the store's checkpoints are reported before the saved one.
  return { targets: targets.sort((a, b) => a.size - b.size) };
}
