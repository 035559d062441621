// Policy lifecycle, shadow report: the decision records where the shadow bundle
// (policy.shadow_dir) disagreed with the live one, counted by (live -> shadow) with examples.
// Agreement is not recorded (it would double the log for nothing), so the log can tell how many
// decisions a window holds but not how many of them were compared: the metrics say that.
import { ChangeTally, type ChangeExample, type Transition } from './change-tally.js';
import { recordedDecision } from './recorded-decision.js';
import type { RecordSource } from './replay.js';

export interface ShadowReportOptions {
  readonly sinceMs?: number;
  readonly examples?: number;
}

export interface ShadowReport {
  readonly records: number;
  /** Decision records in the window (with or without a disagreement). */
  readonly decisions: number;
  readonly disagreements: number;
  readonly transitions: readonly Transition[];
  readonly examples: readonly ChangeExample[];
  /** Shadow bundle versions seen in disagreements, with how many each. */
  readonly shadowVersions: Readonly<Record<string, number>>;
}

const noAttributes = () => undefined;

export async function shadowReport(records: RecordSource, opts: ShadowReportOptions = {}): Promise<ShadowReport> {
  const tally = new ChangeTally(opts.examples ?? 20);
  const versions: Record<string, number> = {};
  const { sinceMs } = opts;
  let read = 0;
  let decisions = 0;
  for await (const record of records) {
    read++;
    const d = recordedDecision(record, noAttributes);
    if (!d || (sinceMs !== undefined && !(Date.parse(d.time) >= sinceMs))) continue;
    decisions++;
    if (!d.shadow) continue;
    versions[d.shadow.policyVersion] = (versions[d.shadow.policyVersion] ?? 0) + 1;
    tally.add(d, d.shadow.effect, d.shadow.policies);
  }
  return {
    records: read,
    decisions,
    disagreements: tally.changed,
    transitions: tally.transitions(),
    examples: tally.examples(),
    shadowVersions: versions,
  };
}
