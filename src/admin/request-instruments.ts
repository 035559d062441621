// The instruments every data-plane request touches: a counter and two latency histograms. Under
// load, prom-client's inc() and observe() cost about 12 us a request here (perf): each call hashes
// a labels object into a string, and a histogram finds its bucket by turning the bound, a double,
// into a property key. These keep one slot per label set, found by the joined label values, and
// give their metric family to exposition.ts when /metrics is scraped.
import type { MetricFamily, Sample } from './exposition.js';

const SEP = '\u0000';

interface CounterSlot {
  readonly labels: readonly string[];
  value: number;
}

interface HistogramSlot {
  readonly labels: readonly string[];
  /** Observations per bucket (not cumulative); the last one is +Inf. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

export class RequestCounter<L extends string> {
  private readonly slots = new Map<string, CounterSlot>();

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly labelNames: readonly L[],
  ) {}

  /** Label values in the order of `labelNames`. */
  inc(labels: readonly string[]): void {
    const key = labels.join(SEP);
    const slot = this.slots.get(key);
    if (slot) slot.value++;
    else this.slots.set(key, { labels: [...labels], value: 1 });
  }

  /** For tests and summaries: the count of one label set. */
  value(labels: readonly string[]): number {
    return this.slots.get(labels.join(SEP))?.value ?? 0;
  }

  family(): MetricFamily {
    const values = [...this.slots.values()].map((s) => ({ labels: labelsOf(this.labelNames, s.labels), value: s.value }));
    return { name: this.name, help: this.help, type: 'counter', values };
  }
}

export class LatencyHistogram<L extends string> {
  private readonly slots = new Map<string, HistogramSlot>();

  constructor(
    readonly name: string,
    private readonly help: string,
    /** Upper bounds in seconds, ascending. */
    private readonly bounds: readonly number[],
    private readonly labelNames: readonly L[] = [],
  ) {}

  /** `labels` in the order of `labelNames`. */
  observe(seconds: number, labels: readonly string[] = []): void {
    if (!Number.isFinite(seconds)) return;
    const key = labels.length ? labels.join(SEP) : '';
    let slot = this.slots.get(key);
    if (!slot) this.slots.set(key, (slot = { labels: [...labels], counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 }));
    let i = 0;
    while (i < this.bounds.length && seconds > this.bounds[i]!) i++;
    slot.counts[i]!++;
    slot.sum += seconds;
    slot.count++;
  }

  family(): MetricFamily {
    const values: Sample[] = [];
    for (const s of this.slots.values()) {
      const labels = labelsOf(this.labelNames, s.labels);
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += s.counts[i]!;
        const le = i < this.bounds.length ? this.bounds[i]! : '+Inf';
        values.push({ metricName: `${this.name}_bucket`, labels: { le, ...labels }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels, value: s.sum }, { metricName: `${this.name}_count`, labels, value: s.count });
    }
    return { name: this.name, help: this.help, type: 'histogram', values };
  }
}

function labelsOf(names: readonly string[], values: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n, i) => [n, values[i] ?? '']));
}
