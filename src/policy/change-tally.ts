// Policy lifecycle: counts decisions by (before -> after) and keeps a few examples of each
// change. Shared by `policy replay` (recorded -> candidate) and `policy shadow-report`
// (live -> shadow). Examples are kept per change, distinct by request, and handed out in turn,
// so a flood of one change cannot hide a rare one.
import type { Effect } from '../model/decision.js';
import { principalUid } from '../model/principal.js';
import { formatEntity } from '../model/entity.js';
import type { RecordedDecision } from './recorded-decision.js';

export interface Transition {
  readonly from: Effect;
  readonly to: Effect;
  readonly count: number;
}

export interface ChangeExample {
  readonly seq: number;
  readonly time: string;
  readonly requestId: string;
  readonly principal: string;
  readonly groups: readonly string[];
  readonly action: string;
  readonly resource: string;
  readonly from: Effect;
  readonly to: Effect;
  /** The policies deciding before (recorded / live) and after (candidate / shadow). */
  readonly fromPolicies: readonly string[];
  readonly toPolicies: readonly string[];
}

interface Bucket {
  readonly from: Effect;
  readonly to: Effect;
  count: number;
  readonly examples: ChangeExample[];
  readonly seen: Set<string>;
}

export class ChangeTally {
  private readonly buckets = new Map<string, Bucket>();
  total = 0;
  changed = 0;

  constructor(private readonly maxExamples: number) {}

  add(d: RecordedDecision, to: Effect, toPolicies: readonly string[]): void {
    this.total++;
    const from = d.effect;
    const k = `${from}>${to}`;
    let b = this.buckets.get(k);
    if (!b) this.buckets.set(k, (b = { from, to, count: 0, examples: [], seen: new Set() }));
    b.count++;
    if (from === to) return;
    this.changed++;
    if (b.examples.length >= this.maxExamples) return;
    const { principal, request } = d.input;
    const ex: ChangeExample = {
      seq: d.seq, time: d.time, requestId: d.requestId,
      principal: principalUid(principal), groups: principal.groups,
      action: request.action, resource: formatEntity(request.resource),
      from, to, fromPolicies: d.policies, toPolicies,
    };
    const same = JSON.stringify([ex.principal, ex.groups, ex.action, ex.resource]);
    if (b.seen.has(same)) return;
    b.seen.add(same);
    b.examples.push(ex);
  }

  /** Changes first, then by count (largest first). */
  transitions(): Transition[] {
    return [...this.buckets.values()]
      .map(({ from, to, count }) => ({ from, to, count }))
      .sort((a, b) => Number(a.from === a.to) - Number(b.from === b.to) || b.count - a.count || key(a).localeCompare(key(b)));
  }

  /** Up to `maxExamples`, taken from each change in turn; listed change by change, in log order. */
  examples(): ChangeExample[] {
    const lists = this.transitions().map((t) => this.buckets.get(key(t))!.examples);
    const take = lists.map(() => 0);
    let left = this.maxExamples;
    for (let progressed = true; left > 0 && progressed; ) {
      progressed = false;
      lists.forEach((list, i) => {
        if (left > 0 && take[i]! < list.length) {
          take[i]!++;
          left--;
          progressed = true;
        }
      });
    }
    return lists.flatMap((list, i) => list.slice(0, take[i]));
  }
}

const key = (t: { from: string; to: string }) => `${t.from}>${t.to}`;
