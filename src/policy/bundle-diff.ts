// What changed between two bundle versions, policy by policy: the summary a bundle load records.
import type { BundleSummary } from '../decide/index.js';

export interface BundleDiff {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
}

export function diffBundles(before: BundleSummary | undefined, after: BundleSummary): BundleDiff {
  const old = new Map((before?.policies ?? []).map((p) => [p.id, p.digest]));
  const now = new Map(after.policies.map((p) => [p.id, p.digest]));
  return {
    added: [...now.keys()].filter((id) => !old.has(id)),
    removed: [...old.keys()].filter((id) => !now.has(id)),
    changed: [...now.keys()].filter((id) => old.has(id) && old.get(id) !== now.get(id)),
  };
}
