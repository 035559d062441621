// /metrics in the two formats scrapers speak: the Prometheus text format 0.0.4 (the default, what
// `promtool check metrics` lints) and OpenMetrics 1.0 (when the scraper's Accept header prefers
// it, as Prometheus's does). Both are rendered here from the same metric families, ours and
// prom-client's, rather than by prom-client, whose OpenMetrics mode renames counters in place and
// so cannot serve both formats from one registry.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

export interface Sample {
  /** The sample's name when it is not the family's (`x_bucket`, `x_sum`, `x_count`). */
  readonly metricName?: string;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
}

/** One metric family; a counter's name ends in `_total`, as in the Prometheus format. */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly values: readonly Sample[];
}

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  prometheus: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

/** OpenMetrics when the Accept header ranks it at least as high as the Prometheus text format. */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (!accept) return 'prometheus';
  let openMetrics = 0;
  let text = 0;
  let any = 0;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q)) continue;
    if (type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, q);
    else if (type === 'text/plain') text = Math.max(text, q);
    else if (type === '*/*' || type === 'text/*') any = Math.max(any, q);
  }
  return openMetrics > 0 && openMetrics >= Math.max(text, any) ? 'openmetrics' : 'prometheus';
}

export function render(families: readonly MetricFamily[], format: ExpositionFormat): string {
  if (format === 'prometheus') return `${families.map(prometheusFamily).join('\n\n')}\n`;
  return `${families.map(openMetricsFamily).join('\n')}\n# EOF\n`;
}

function prometheusFamily(f: MetricFamily): string {
  const help = f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return [`# HELP ${f.name} ${help}`, `# TYPE ${f.name} ${f.type}`, ...f.values.map((s) => sampleLine(s.metricName ?? f.name, s))].join('\n');
}

/**
 * A counter's family is named without `_total` and its sample with it; HELP escapes quotes too;
 * no blank lines (OpenMetrics 1.0, sections 4.1 and 4.4).
 */
function openMetricsFamily(f: MetricFamily): string {
  const family = f.type === 'counter' ? f.name.replace(/_total$/, '') : f.name;
  const help = escapeText(f.help);
  const name = (s: Sample) => s.metricName ?? (f.type === 'counter' ? `${family}_total` : family);
  return [`# TYPE ${family} ${f.type}`, `# HELP ${family} ${help}`, ...f.values.map((s) => sampleLine(name(s), s))].join('\n');
}

function sampleLine(name: string, s: Sample): string {
  const labels = Object.entries(s.labels);
  const text = labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeText(String(v))}"`).join(',')}}` : '';
  return `${name}${text} ${number(s.value)}`;
}

const escapeText = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export function number(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}
