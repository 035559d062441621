// Policy lifecycle: a change report as text for a terminal or a CI log: a table of counts by
// (before -> after), then examples, then one summary line (last, so `tail -1` gives it).
import type { ChangeExample, Transition } from './change-tally.js';

export interface ChangeReportText {
  /** Column names of the two sides, e.g. RECORDED / CANDIDATE or LIVE / SHADOW. */
  readonly before: string;
  readonly after: string;
  readonly transitions: readonly Transition[];
  readonly examples: readonly ChangeExample[];
  readonly changed: number;
  readonly summary: string;
}

export function renderChangeReport(r: ChangeReportText): string[] {
  const out: string[] = [];
  const changes = r.transitions.filter((t) => t.from !== t.to);
  if (changes.length > 0) {
    const rows = changes.map((t) => [t.from, t.to, fmt(t.count)]);
    out.push(...table([r.before, r.after, 'COUNT'], rows), '');
  }
  if (r.examples.length > 0) {
    out.push(`examples (${r.examples.length} of ${fmt(r.changed)}):`);
    for (const e of r.examples) {
      const groups = e.groups.length > 0 ? ` [${e.groups.join(', ')}]` : '';
      out.push(`  ${e.from} -> ${e.to}  ${e.principal}${groups}  ${e.action}  ${e.resource}`);
      out.push(`      ${r.after.toLowerCase()}: ${list(e.toPolicies)}; ${r.before.toLowerCase()}: ${list(e.fromPolicies)}; seq ${e.seq}, ${e.time}`);
    }
    out.push('');
  }
  out.push(r.summary);
  return out;
}

/** `3 allow -> deny, 1 deny -> allow` */
export function changeList(transitions: readonly Transition[]): string {
  return transitions
    .filter((t) => t.from !== t.to)
    .map((t) => `${fmt(t.count)} ${t.from} -> ${t.to}`)
    .join(', ');
}

export const fmt = (n: number): string => n.toLocaleString('en-US');

const list = (ids: readonly string[]): string => (ids.length > 0 ? ids.join(', ') : 'none');

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}
