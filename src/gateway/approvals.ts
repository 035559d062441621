// Assembles the approval workflow of one process: the service, just-in-time grants and the
// memberships they add, the sweeper that expires both, and an identifier that adds granted groups.
import { ActiveGrants } from '../approvals/grants/active-grants.js';
import { GrantService } from '../approvals/grants/service.js';
import type { GatewayMetrics } from '../admin/metrics.js';
import { createNotifier, type ChannelConfig, type Notifier } from '../approvals/channels/index.js';
import { ApprovalService } from '../approvals/service.js';
import type { AuditWriter } from '../audit/writer.js';
import type { Identifier } from '../identify/index.js';
import type { Logger } from '../lib/logger.js';
import type { Principal } from '../model/principal.js';
import type { Store } from '../store/ports.js';
import { errorMessage } from '../lib/errors.js';

export interface ApprovalWorkflow {
  readonly approvals: ApprovalService;
  readonly grants: GrantService;
  readonly withGrants: (p: Principal) => Principal;
  /** The identifier with granted groups added to every principal. */
  readonly identifier: Identifier;
  close(): void;
}

export async function startApprovals(
  store: Store,
  audit: AuditWriter,
  identifier: Identifier,
  opts: { ttlSeconds: number; maxPendingPerPrincipal?: number; log: Logger; now?: () => number },
): Promise<ApprovalWorkflow> {
  const now = opts.now ?? Date.now;
  const approvals = new ApprovalService(store.approvals, {
    ttlSeconds: opts.ttlSeconds,
    maxPendingPerPrincipal: opts.maxPendingPerPrincipal,
    audit,
    now,
    changes: store.changes,
  });
  const active = new ActiveGrants(store.grants, now, store.changes);
  await active.start();
  const grants = new GrantService(store.grants, approvals, active, audit, now, store.changes);

  let sweeping = false;
  const sweeper = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    Promise.all([approvals.sweep(), grants.sweep()])
      .catch((err: unknown) => opts.log.error({ err: errorMessage(err) }, 'approval sweep failed'))
      .finally(() => (sweeping = false));
  }, 1000);
  sweeper.unref();

  return {
    approvals,
    grants,
    withGrants: (p) => active.withGrants(p),
    identifier: {
      ...identifier,
      identify: async (authorization) => active.withGrants(await identifier.identify(authorization)),
    },
    close() {
      clearInterval(sweeper);
      active.close();
    },
  };
}

/**
 * Sends every approval change to the configured channels. Outcomes (after retries) become audit
 * records and metrics; a channel that is down never holds up a request.
 */
export function notifyChannels(
  workflow: ApprovalWorkflow,
  channels: readonly ChannelConfig[],
  opts: { consoleUrl: string; audit: AuditWriter; metrics: GatewayMetrics; log: Logger },
): Notifier {
  const notifier = createNotifier(channels, {
    consoleUrl: opts.consoleUrl,
    log: opts.log,
    onOutcome(o) {
      opts.metrics.notifications.inc({ channel: o.channel, ok: String(o.ok) });
      opts.audit.enqueue({
        kind: 'notification',
        time: new Date().toISOString(),
        ...(o.approvalId ? { approval_id: o.approvalId } : {}),
        ...(o.alert ? { alert: o.alert } : {}),
        channel: o.channel,
        event: o.event,
        ok: o.ok,
        attempts: o.attempts,
        ...(o.error ? { error: o.error } : {}),
      });
    },
  });
  workflow.approvals.onChange((event, approval) => notifier.notify(`approval.${event}`, approval));
  return notifier;
}
