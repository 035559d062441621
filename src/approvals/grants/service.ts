// Just-in-time grants: a principal asks for membership of a group for a while, with a reason. The
// request is decided like any action (`grant.request` on `Group::"<group>"`); when it needs an
// approval the grant waits for it, and its clock starts when it is approved. Starts and ends are
// audit records, written in the same transaction as the start or end; revocation counts on the next
// request. A grant whose start did not happen when its approval was decided (the store failed
// then) is started by the next sweep.
import { createHash, randomUUID } from 'node:crypto';
import { AirlockError } from '../../lib/errors.js';
import type { Decision } from '../../model/decision.js';
import type { CedarRecord } from '../../model/entity.js';
import type { Principal } from '../../model/principal.js';
import type { AuditEntry, ChangeFeed, Grant, GrantStore, Page } from '../../store/ports.js';
import type { ApprovalService } from '../service.js';
import type { Approval } from '../types.js';
import type { ActiveGrants } from './active-grants.js';

export interface GrantAsk {
  readonly group: string;
  readonly duration_seconds: number;
  readonly reason: string;
}

export class GrantService {
  constructor(
    private readonly store: GrantStore,
    private readonly approvals: ApprovalService,
    private readonly active: ActiveGrants,
    private readonly now: () => number = Date.now,
    private readonly changes?: ChangeFeed,
  ) {
    approvals.onChange((event, approval) => {
      if (approval.kind !== 'grant') return;
      // A failure here leaves the grant pending, and the next sweep starts or ends it.
      if (event === 'approved') this.settle(approval, 'activate').catch(() => undefined);
      if (event === 'denied' || event === 'expired') this.settle(approval, 'deny').catch(() => undefined);
    });
  }

  /** Creates the grant for an allowed or approval-requiring decision; returns it with its approval. */
  async request(principal: Principal, ask: GrantAsk, decision: Decision, context: CedarRecord, requestId: string): Promise<{ grant: Grant; approval?: Approval }> {
    const now = this.now();
    let approval: Approval | undefined;
    if (decision.effect === 'approval_required') {
      approval = await this.approvals.open({
        kind: 'grant',
        principal,
        action: 'grant.request',
        resource: `Group::${JSON.stringify(ask.group)}`,
        resourceName: null,
        context,
        request: { method: 'POST', path: '/api/v1/grants', body_sha256: createHash('sha256').update(JSON.stringify(ask)).digest('hex') },
        obligation: decision.obligations.approval!,
        requestId,
        policyVersion: decision.policyVersion,
        policies: decision.policies,
        reason: ask.reason,
      });
    } else if (decision.effect !== 'allow') {
      throw new AirlockError('denied', 'the grant was not allowed');
    }
    const grant: Grant = {
      id: randomUUID(),
      principal: { type: principal.type, id: principal.id },
      group: ask.group,
      reason: ask.reason,
      duration_seconds: ask.duration_seconds,
      status: approval ? 'pending' : 'active',
      approval_id: approval?.id ?? null,
      created_at: new Date(now).toISOString(),
      starts_at: approval ? null : new Date(now).toISOString(),
      expires_at: approval ? null : new Date(now + ask.duration_seconds * 1000).toISOString(),
      ended_at: null,
    };
    await this.store.insertGrant(grant, [this.entry(approval ? 'grant_requested' : 'grant_started', grant, requestId)]);
    await this.announce();
    return { grant, ...(approval ? { approval } : {}) };
  }

  get(id: string): Promise<Grant | undefined> {
    return this.store.getGrant(id);
  }

  list(limit = 200, before?: number): Promise<Page<Grant>> {
    return this.store.listGrants(limit, before);
  }

  async revoke(id: string, by: Principal, requestId: string): Promise<Grant> {
    const grant = await this.store.revokeGrant(id, this.now(), (g) => [this.entry('grant_revoked', g, requestId, { by: { type: by.type, id: by.id } })]);
    if (!grant) {
      const existing = await this.store.getGrant(id);
      if (!existing) throw new AirlockError('not_found', `no grant ${id}`);
      throw new AirlockError('conflict', `the grant is ${existing.status}`);
    }
    await this.announce();
    return grant;
  }

  /** Starts what was approved but not started, ends what has expired; run every second. */
  async sweep(): Promise<void> {
    const now = this.now();
    const started = await this.store.activateApprovedGrants(now, (gs) => gs.map((g) => this.entry('grant_started', g, null, { caught_up: true })));
    const ended = await this.store.expireGrants(now, (gs) => gs.map((g) => this.entry('grant_expired', g, null)));
    if (started.length || ended.length) await this.announce();
  }

  private async settle(approval: Approval, how: 'activate' | 'deny'): Promise<void> {
    const now = this.now();
    const kind = how === 'activate' ? 'grant_started' : 'grant_denied';
    const records = (g: Grant) => [this.entry(kind, g, approval.request_id)];
    const grant = how === 'activate' ? await this.store.activateGrant(approval.id, now, records) : await this.store.denyGrant(approval.id, now, records);
    if (grant) await this.announce();
  }

  /** Refreshes this process's memberships and tells the other processes sharing the store. */
  private async announce(): Promise<void> {
    await this.active.refresh();
    await this.changes?.publish('grants', '');
  }

  private entry(kind: string, g: Grant, requestId: string | null, extra: Record<string, unknown> = {}): AuditEntry {
    return {
      kind,
      time: new Date(this.now()).toISOString(),
      grant_id: g.id,
      request_id: requestId,
      approval_id: g.approval_id,
      principal: g.principal,
      group: g.group,
      status: g.status,
      starts_at: g.starts_at,
      expires_at: g.expires_at,
      reason: g.reason,
      ...extra,
    };
  }
}
