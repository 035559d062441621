// Starts one SinkDelivery per configured `audit.sinks` entry (contract section 7) and gives the
// gateway one handle: nudge all after an audit commit, read their lag for metrics, close on drain.
// Failures are reported through onFailure and never written to the audit log from here (a failing
// sink would otherwise be fed its own failures); the caller decides what to record.
import type { Config } from '../../config/schema.js';
import type { Logger } from '../../lib/logger.js';
import type { AuditStore } from '../../store/ports.js';
import { fileSink } from './file-sink.js';
import { SinkDelivery } from './sink-delivery.js';
import type { BackoffOptions, SinkCallbacks, SinkStats, SinkTarget } from './types.js';
import { webhookSink } from './webhook-sink.js';

export type SinkConfig = Config['audit']['sinks'][number];

export interface StartSinksOptions extends SinkCallbacks {
  readonly log: Logger;
  /** Relative file sink paths resolve against this (the config file's directory). */
  readonly baseDir: string;
  readonly batchSize?: number;
  readonly pollMs?: number;
  readonly backoff?: BackoffOptions;
  /** Per webhook request (default 5 s). */
  readonly timeoutMs?: number;
  readonly closeTimeoutMs?: number;
}

export interface Sinks {
  /** Call after an audit commit: sinks look for new records now instead of at their next poll. */
  nudge(): void;
  /** Undelivered records per sink label, as of each sink's last poll. */
  lag(): Record<string, number>;
  stats(): SinkStats[];
  /** Stops every sink; waits (about closeTimeoutMs at most) for deliveries in flight. */
  close(): Promise<void>;
}

export function sinkTarget(config: SinkConfig, baseDir: string, timeoutMs?: number): SinkTarget {
  return config.type === 'webhook' ? webhookSink(config, timeoutMs) : fileSink(config, baseDir);
}

export function startSinks(configs: readonly SinkConfig[], audit: AuditStore, options: StartSinksOptions): Sinks {
  const deliveries = configs.map((c) => new SinkDelivery(sinkTarget(c, options.baseDir, options.timeoutMs), audit, options));
  for (const d of deliveries) {
    d.start();
    options.log.info({ sink: d.target.label }, 'audit sink started');
  }
  return {
    nudge: () => deliveries.forEach((d) => d.nudge()),
    lag: () => Object.fromEntries(deliveries.map((d) => [d.target.label, d.lag()])),
    stats: () => deliveries.map((d) => d.stats()),
    close: async () => {
      await Promise.all(deliveries.map((d) => d.close()));
    },
  };
}
