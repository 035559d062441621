// Alert rules over the audit log, as the access map folds records in. Every replica evaluates the
// same records; a firing is claimed in the store under (rule, key, window) before it is delivered,
// so it is delivered and recorded once per window however many replicas saw it. Records that were
// already in the log when the process started only build the rules' state: a restart does not
// raise old alerts again.
import type { Alert } from '../approvals/channels/index.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { AuditEntry } from '../store/ports.js';
import { ruleCheck, type AuditRecordView, type RuleCheck } from './rules.js';
import type { AlertRule } from './schema.js';

export interface AlertEngineDeps {
  /** True for the one replica that gets to deliver this firing. */
  readonly claim: (id: string, now: number) => Promise<boolean>;
  readonly notify: (alert: Alert) => void;
  readonly record: (entry: AuditEntry) => void;
  readonly log: Logger;
  /** Records up to this seq were in the log at start: state only, no firing. */
  readonly liveAfter: number;
  readonly now?: () => number;
}

export class AlertEngine {
  private readonly checks: { rule: AlertRule; check: RuleCheck }[];
  private readonly fired = new Set<string>();

  constructor(rules: readonly AlertRule[], private readonly deps: AlertEngineDeps) {
    this.checks = rules.map((rule) => ({ rule, check: ruleCheck(rule) }));
  }

  observe(record: AuditRecordView, seq: number): void {
    if (!record.time || record.kind === 'alert') return;
    const at = Date.parse(record.time);
    if (Number.isNaN(at)) return;
    for (const { rule, check } of this.checks) {
      const windowMs = rule.window_seconds * 1000;
      const windowStart = Math.floor(at / windowMs) * windowMs;
      const firing = check(record, windowStart);
      if (!firing || seq <= this.deps.liveAfter) continue;
      const id = `${rule.name}|${firing.key}|${windowStart}`;
      if (this.fired.has(id)) continue;
      if (this.fired.size > 10_000) this.fired.clear();
      this.fired.add(id);
      const alert: Alert = { name: rule.name, type: rule.type, key: firing.key, summary: firing.summary, time: record.time, details: { ...firing.details, window_start: new Date(windowStart).toISOString(), window_seconds: rule.window_seconds } };
      void this.deliver(id, alert);
    }
  }

  private async deliver(id: string, alert: Alert): Promise<void> {
    try {
      if (!(await this.deps.claim(id, (this.deps.now ?? Date.now)()))) return;
      this.deps.record({ kind: 'alert', time: new Date((this.deps.now ?? Date.now)()).toISOString(), alert: alert.name, alert_type: alert.type, key: alert.key, summary: alert.summary, details: alert.details });
      this.deps.notify(alert);
    } catch (err) {
      this.deps.log.error({ err: errorMessage(err), alert: alert.name }, 'alert could not be claimed');
    }
  }
}
