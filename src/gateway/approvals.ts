// Assembles the approval workflow of one process: the service, just-in-time grants and the
// memberships they add, the sweeper that expires both, and an identifier that adds granted groups.
import { ActiveGrants } from '../approvals/grants/active-grants.js';
import { GrantService } from '../approvals/grants/service.js';
import { ApprovalService } from '../approvals/service.js';
import type { AuditWriter } from '../audit/writer.js';
import type { Identifier } from '../identify/index.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/ports.js';

export interface ApprovalWorkflow {
  readonly approvals: ApprovalService;
  readonly grants: GrantService;
  /** The identifier with granted groups added to every principal. */
  readonly identifier: Identifier;
  close(): void;
}

export async function startApprovals(
  store: Store,
  audit: AuditWriter,
  identifier: Identifier,
  opts: { ttlSeconds: number; log: Logger; now?: () => number },
): Promise<ApprovalWorkflow> {
  const now = opts.now ?? Date.now;
  const approvals = new ApprovalService(store.approvals, { ttlSeconds: opts.ttlSeconds, audit, now });
  const active = new ActiveGrants(store.grants, now);
  await active.start();
  const grants = new GrantService(store.grants, approvals, active, audit, now);

  let sweeping = false;
  const sweeper = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    Promise.all([approvals.sweep(), grants.sweep()])
      .catch((err: unknown) => opts.log.error({ err: err instanceof Error ? err.message : String(err) }, 'approval sweep failed'))
      .finally(() => (sweeping = false));
  }, 1000);
  sweeper.unref();

  return {
    approvals,
    grants,
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
