// Runs the SIEM sinks of one process and reports on them: metrics for every delivery and failure,
// and an audit record when a sink goes down and when it recovers (not one per retry: each record
// is one more thing for the failing sink to deliver).
import type { GatewayMetrics } from '../admin/metrics.js';
import { startSinks, type Sinks } from '../audit/sinks/index.js';
import type { AuditWriter } from '../audit/writer.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../lib/logger.js';
import type { AuditStore } from '../store/ports.js';
import { errorMessage } from '../lib/errors.js';

export function startAuditSinks(
  configs: Config['audit']['sinks'],
  store: AuditStore,
  audit: AuditWriter,
  metrics: GatewayMetrics,
  log: Logger,
  baseDir: string,
): Sinks {
  const down = new Set<string>();
  const record = (sink: string, state: 'down' | 'recovered', error?: string) =>
    audit.enqueue({ kind: 'sink_state', time: new Date().toISOString(), sink, state, ...(error ? { error } : {}) });
  const sinks = startSinks(configs, store, {
    log,
    baseDir,
    onDelivered(sink, n) {
      metrics.sinkDelivered.inc({ sink }, n);
      if (down.delete(sink)) record(sink, 'recovered');
    },
    onFailure(sink, err) {
      metrics.sinkFailures.inc({ sink });
      if (!down.has(sink)) {
        down.add(sink);
        record(sink, 'down', errorMessage(err));
      }
    },
  });
  metrics.watchSinkLag(() => sinks.lag());
  audit.onCommit(() => sinks.nudge());
  return sinks;
}
