// Policy lifecycle, replay: the requests recorded in the audit log decided again by a candidate
// bundle, and what would change. Pure apart from the clock: records in, report out; where the
// records come from (the store, an export) is the caller's business. The engine's decision
// cache does the heavy lifting on real logs, where the same requests come back again and again.
import type { PolicyEngine } from '../decide/index.js';
import { ChangeTally, type ChangeExample, type Transition } from './change-tally.js';
import { recordedDecision, type AttributesOf } from './recorded-decision.js';

export interface ReplayOptions {
  /** The candidate bundle's engine. */
  readonly engine: PolicyEngine;
  readonly attributesOf: AttributesOf;
  /** Only records at or after this time (unix ms). */
  readonly sinceMs?: number;
  /** Examples to keep (default 20). */
  readonly examples?: number;
}

export interface ReplayReport {
  readonly candidateVersion: string;
  /** Records read, of any kind. */
  readonly records: number;
  /** Decisions decided again. */
  readonly replayed: number;
  readonly changed: number;
  /** Every (recorded -> candidate) pair seen, changes first. */
  readonly transitions: readonly Transition[];
  readonly examples: readonly ChangeExample[];
  /** Bundle versions that made the recorded decisions, with how many each. */
  readonly recordedVersions: Readonly<Record<string, number>>;
  readonly seconds: number;
}

export type RecordSource = AsyncIterable<string | Record<string, unknown>> | Iterable<string | Record<string, unknown>>;

export async function replay(records: RecordSource, opts: ReplayOptions): Promise<ReplayReport> {
  const started = performance.now();
  const tally = new ChangeTally(opts.examples ?? 20);
  const versions: Record<string, number> = {};
  const { sinceMs } = opts;
  let read = 0;
  for await (const record of records) {
    read++;
    const d = recordedDecision(record, opts.attributesOf);
    if (!d || (sinceMs !== undefined && !(Date.parse(d.time) >= sinceMs))) continue;
    versions[d.policyVersion] = (versions[d.policyVersion] ?? 0) + 1;
    const now = opts.engine.decide(d.input);
    tally.add(d, now.effect, now.policies);
  }
  return {
    candidateVersion: opts.engine.version,
    records: read,
    replayed: tally.total,
    changed: tally.changed,
    transitions: tally.transitions(),
    examples: tally.examples(),
    recordedVersions: versions,
    seconds: (performance.now() - started) / 1000,
  };
}
