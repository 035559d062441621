// Prometheus metrics of one gateway process, in their own registry (so tests can run several).
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { CONTENT_TYPES, render, type ExpositionFormat, type MetricFamily } from './exposition.js';
import { LatencyHistogram, RequestCounter } from './request-instruments.js';

/**
 * prom-client's default gauges of the same counts by type (nodejs_active_handles...) stay; these
 * totals are gauges named like counters, which `promtool check metrics` refuses.
 */
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export class GatewayMetrics {
  readonly registry = new Registry();
  // The data plane's per-request instruments are cheaper than prom-client's (request-instruments.ts).
  readonly requests = new RequestCounter('airlock_requests_total', 'Data-plane requests by resource, action and decision', ['resource', 'action', 'decision']);
  readonly decisionSeconds = new LatencyHistogram(
    'airlock_decision_duration_seconds',
    'Time to identify, classify and decide a request',
    [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
  );
  readonly upstreamSeconds = new LatencyHistogram(
    'airlock_upstream_duration_seconds',
    'Time from forwarding to the end of the upstream response',
    [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    ['resource'],
  );
  readonly spansDropped = new Counter({
    name: 'airlock_trace_spans_dropped_total',
    help: 'Trace spans not delivered to the OTLP collector',
    registers: [this.registry],
  });
  readonly auditErrors = new Counter({
    name: 'airlock_audit_errors_total',
    help: 'Failed audit commits',
    registers: [this.registry],
  });
  readonly controlPlane = new Counter({
    name: 'airlock_control_plane_requests_total',
    help: 'Control-plane requests by action and decision',
    labelNames: ['action', 'decision'] as const,
    registers: [this.registry],
  });

  readonly sinkDelivered = new Counter({
    name: 'airlock_audit_sink_delivered_total',
    help: 'Audit records delivered to SIEM sinks',
    labelNames: ['sink'] as const,
    registers: [this.registry],
  });
  readonly sinkFailures = new Counter({
    name: 'airlock_audit_sink_failures_total',
    help: 'Failed deliveries to SIEM sinks (each is retried)',
    labelNames: ['sink'] as const,
    registers: [this.registry],
  });
  readonly notifications = new Counter({
    name: 'airlock_approval_notifications_total',
    help: 'Approval notifications by channel and outcome (after retries)',
    labelNames: ['channel', 'ok'] as const,
    registers: [this.registry],
  });
  readonly policyReloads = new Counter({
    name: 'airlock_policy_reloads_total',
    help: 'Policy bundle reloads by outcome (loaded, unchanged, refused)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly policyVersion = new Gauge({
    name: 'airlock_policy_bundle_info',
    help: 'The policy bundle version being served (value 1)',
    labelNames: ['version'] as const,
    registers: [this.registry],
  });
  readonly shadowDecisions = new Counter({
    name: 'airlock_shadow_decisions_total',
    help: 'Decisions compared with the shadow bundle (policy.shadow_dir), by live and shadow decision (shadow="error": the shadow failed)',
    labelNames: ['live', 'shadow'] as const,
    registers: [this.registry],
  });
  readonly shadowDisagreements = new Counter({
    name: 'airlock_shadow_disagreements_total',
    help: 'Decisions where the shadow bundle decided differently from the live one (recorded as the decision\'s shadow)',
    registers: [this.registry],
  });
  readonly shadowBundle = new Gauge({
    name: 'airlock_shadow_bundle_info',
    help: 'The shadow bundle version being compared (value 1); absent while shadow mode is off',
    labelNames: ['version'] as const,
    registers: [this.registry],
  });
  private sinkLag: () => Record<string, number> = () => ({});

  /** Every metric, prom-client's registry and the request instruments, in `format`. */
  async exposition(format: ExpositionFormat = 'prometheus'): Promise<string> {
    const registered = (await this.registry.getMetricsAsJSON()) as unknown as MetricFamily[];
    return render([...registered, this.requests.family(), this.decisionSeconds.family(), this.upstreamSeconds.family()], format);
  }

  contentType(format: ExpositionFormat = 'prometheus'): string {
    return CONTENT_TYPES[format];
  }

  /** Where the per-sink lag gauge reads from, once the sinks are running. */
  watchSinkLag(lag: () => Record<string, number>): void {
    this.sinkLag = lag;
  }

  constructor(auditQueueDepth: () => number) {
    const sinkLag = () => this.sinkLag();
    new Gauge({
      name: 'airlock_audit_sink_lag_records',
      help: 'Audit records not yet delivered, per SIEM sink',
      labelNames: ['sink'] as const,
      registers: [this.registry],
      collect() {
        for (const [sink, lag] of Object.entries(sinkLag())) this.set({ sink }, lag);
      },
    });
    new Gauge({
      name: 'airlock_audit_queue_depth',
      help: 'Audit records waiting to be committed',
      registers: [this.registry],
      collect() {
        this.set(auditQueueDepth());
      },
    });
    collectDefaultMetrics({ register: this.registry });
    for (const name of MISNAMED_DEFAULTS) this.registry.removeSingleMetric(name);
  }
}
