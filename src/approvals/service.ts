// Action-level approvals: opening one when a decision asks for it (one per repeated request),
// votes under the rules that matter (an approver of an approving group, never the requester, one
// vote each, N distinct approvals, any deny ends it), single use bound to the exact request, and
// expiry. Every step is an audit record linked by approval_id, written in the same transaction as
// the step itself (a vote never counts without the record of who cast it); channels, held requests
// and grants hear of every change once it has committed.
import { randomUUID } from 'node:crypto';
import type { AuditWriter } from '../audit/writer.js';
import { AirlockError } from '../lib/errors.js';
import type { ApprovalObligation, ApprovalRequirement } from '../model/decision.js';
import type { CedarRecord } from '../model/entity.js';
import type { Principal } from '../model/principal.js';
import type { ApprovalStore, AuditEntry, ChangeFeed, Page, VoteResult } from '../store/ports.js';
import { approvalFingerprint } from './fingerprint.js';
import { mayApprove, requirementsOf } from './requirements.js';
import type { Approval, BoundRequest, VoteChoice } from './types.js';
import { ApprovalWaiters } from './waiters.js';

export type ApprovalEvent = 'created' | 'approved' | 'denied' | 'expired' | 'used';

export type Redemption =
  | { readonly state: 'used'; readonly approval: Approval }
  | { readonly state: 'pending'; readonly approval: Approval }
  | { readonly state: 'refused'; readonly status: string };

export interface ApprovalListener {
  (event: ApprovalEvent, approval: Approval): void;
}

export interface ApprovalRequest {
  readonly kind: Approval['kind'];
  readonly principal: Principal;
  readonly action: string;
  readonly resource: string;
  readonly resourceName: string | null;
  readonly context: CedarRecord;
  readonly request: BoundRequest;
  readonly obligation: ApprovalObligation;
  readonly requestId: string;
  readonly policyVersion: string;
  readonly policies: readonly string[];
  readonly reason?: string;
}

/** What an approval is spent on: it must have been opened for exactly this. */
export interface ApprovalBinding {
  readonly principal: Principal;
  readonly action: string;
  readonly resource: string;
  readonly request: BoundRequest;
  /** What the bundle asks of approvers now: an approval opened under other requirements is not this one. */
  readonly requirements: readonly ApprovalRequirement[];
}

const fingerprintOf = (b: ApprovalBinding) => approvalFingerprint(b.principal, b.action, b.resource, b.request, b.requirements);

export interface ApprovalServiceOptions {
  readonly ttlSeconds: number;
  /** Open approvals one principal may have at once (a flood by one caller cannot bury the rest); default 20. */
  readonly maxPendingPerPrincipal?: number;
  /** For votes refused before they reach the store; every change's records go in its own transaction. */
  readonly audit: AuditWriter;
  readonly now?: () => number;
  readonly listeners?: readonly ApprovalListener[];
  /** Tells other processes sharing the store, so their held requests wake at once. */
  readonly changes?: ChangeFeed;
}

const uid = (p: { type: string; id: string }) => ({ type: p.type, id: p.id });

export class ApprovalService {
  readonly waiters: ApprovalWaiters;
  private readonly now: () => number;
  private readonly listeners: ApprovalListener[];

  constructor(
    private readonly store: ApprovalStore,
    private readonly options: ApprovalServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.listeners = [...(options.listeners ?? [])];
    this.waiters = new ApprovalWaiters((id) => store.getApproval(id));
    options.changes?.subscribe((topic, id) => topic === 'approvals' && void this.waiters.reread(id).catch(() => undefined));
  }

  onChange(listener: ApprovalListener): void {
    this.listeners.push(listener);
  }

  /** Opens an approval for the request, or returns the one already pending for the same request. */
  async open(r: ApprovalRequest): Promise<Approval> {
    const fingerprint = fingerprintOf({ ...r, requirements: r.obligation.requirements });
    const now = this.now();
    const existing = await this.store.findPending(fingerprint, now);
    if (existing) return existing;
    const cap = this.options.maxPendingPerPrincipal ?? 20;
    if ((await this.store.countPending(r.principal, now)) >= cap) {
      throw new AirlockError('too_many_pending', `${cap} approvals of this principal are pending already; wait for them to be decided or expire`);
    }
    const approval: Approval = {
      id: randomUUID(),
      kind: r.kind,
      status: 'pending',
      principal: {
        type: r.principal.type,
        id: r.principal.id,
        groups: r.principal.groups,
        ...(r.principal.onBehalfOf ? { on_behalf_of: uid(r.principal.onBehalfOf) } : {}),
      },
      action: r.action,
      resource: r.resource,
      resource_name: r.resourceName,
      context: r.context,
      request: r.request,
      fingerprint,
      groups: r.obligation.groups,
      quorum: r.obligation.quorum,
      requirements: r.obligation.requirements,
      votes: [],
      reason: r.reason ?? null,
      request_id: r.requestId,
      policy_version: r.policyVersion,
      policies: r.policies,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + this.options.ttlSeconds * 1000).toISOString(),
      decided_at: null,
      used_at: null,
    };
    await this.store.insertApproval(approval, [
      this.entry('approval_created', approval, {
        principal: approval.principal,
        action: approval.action,
        resource: approval.resource,
        fingerprint,
        groups: approval.groups,
        quorum: approval.quorum,
        requirements: approval.requirements,
        expires_at: approval.expires_at,
      }),
    ]);
    this.emit('created', approval);
    return approval;
  }

  get(id: string): Promise<Approval | undefined> {
    return this.store.getApproval(id);
  }

  list(status: Approval['status'] | undefined, limit = 200, before?: number): Promise<Page<Approval>> {
    return this.store.listApprovals(status, limit, before);
  }

  /** Casts `approver`'s vote; throws AirlockError when the vote is not allowed or does not count. */
  async vote(id: string, approver: Principal, choice: VoteChoice, reason: string): Promise<Approval> {
    const approval = await this.store.getApproval(id);
    if (!approval) throw new AirlockError('not_found', `no approval ${id}`);
    const refusal = (a: Approval, why: string) => this.entry('approval_vote', a, { approver: uid(approver), vote: choice, reason, accepted: false, why });
    const refuse = async (code: 'denied' | 'conflict', why: string): Promise<never> => {
      await this.options.audit.append(refusal(approval, why));
      throw new AirlockError(code, why, { approval_id: id });
    };
    // The requester may hold an approving group too; approving their own action would make the
    // approval meaningless, so it is refused whatever the groups say.
    const self = (p: { type: string; id: string } | undefined) => p !== undefined && approver.type === p.type && approver.id === p.id;
    if (self(approval.principal) || self(approval.principal.on_behalf_of)) {
      return refuse('denied', 'the requester cannot vote on their own request');
    }
    if (!mayApprove(requirementsOf(approval), approver.groups)) {
      return refuse('denied', `only members of ${approval.groups.join(', ')} may vote on this approval`);
    }
    const groups = approver.groups.filter((g) => approval.groups.includes(g));
    const vote = { approver: uid(approver), groups, vote: choice, reason, time: new Date(this.now()).toISOString() };
    const why = (r: VoteResult) => (r.outcome === 'duplicate' ? 'this approver has already voted' : `the approval is ${r.approval?.status}`);
    const records = (r: VoteResult): AuditEntry[] => {
      if (!r.approval) return [];
      if (r.outcome !== 'recorded') return [refusal(r.approval, why(r))];
      const counted = this.entry('approval_vote', r.approval, { approver: vote.approver, vote: choice, reason, accepted: true });
      return r.approval.status === 'pending' ? [counted] : [counted, this.stateEntry(r.approval)];
    };
    const result = await this.store.castVote(id, vote, this.now(), this.options.ttlSeconds * 1000, records);
    const after = result.approval;
    if (result.outcome === 'not_found' || !after) throw new AirlockError('not_found', `no approval ${id}`);
    if (result.outcome !== 'recorded') throw new AirlockError('conflict', why(result), { approval_id: id });
    if (after.status !== 'pending') await this.changed(after.status as ApprovalEvent, after);
    return after;
  }

  /**
   * Spends an approved approval on the request it was granted for. Resolves undefined when it is
   * not approved, belongs to another principal or request, was used already, or has expired.
   */
  async use(id: string, binding: ApprovalBinding, requestId: string): Promise<Approval | undefined> {
    const fingerprint = fingerprintOf(binding);
    const used = await this.store.useApproval(id, fingerprint, this.now(), (a) => [this.entry('approval_used', a, { used_by_request_id: requestId })]);
    if (used) this.emit('used', used);
    return used;
  }

  /**
   * Spends an approved approval granted for exactly this request, without its id: for clients
   * that cannot present one (kubectl repeats the same command). Another identical request may
   * spend the same approval at the same moment: only one of them wins it, and the loser tries the
   * next approved one, if there is any.
   */
  async spendIdentical(binding: ApprovalBinding, requestId: string): Promise<Approval | undefined> {
    const fingerprint = fingerprintOf(binding);
    for (let tries = 0; tries < 3; tries++) {
      const granted = await this.store.findApproved(fingerprint, this.now());
      if (!granted) return undefined;
      const used = await this.use(granted.id, binding, requestId);
      if (used) return used;
    }
    return undefined;
  }

  /**
   * A request that presents an approval id: spends it if it was approved for exactly this request
   * by this principal; says `pending` when it is this very request's approval, still open;
   * otherwise `refused` with the approval's status (used, denied, expired, or not this request's).
   */
  async redeem(id: string, binding: ApprovalBinding, requestId: string): Promise<Redemption> {
    const used = await this.use(id, binding, requestId);
    if (used) return { state: 'used', approval: used };
    const existing = await this.store.getApproval(id);
    if (existing?.status === 'pending' && existing.fingerprint === fingerprintOf(binding)) {
      return { state: 'pending', approval: existing };
    }
    // Another principal's approval is answered like one that does not exist: its state is theirs.
    const theirs = existing && (existing.principal.type !== binding.principal.type || existing.principal.id !== binding.principal.id);
    return { state: 'refused', status: !existing || theirs ? 'unknown' : existing.status };
  }

  /** Expires what has lapsed; run every second. */
  async sweep(): Promise<void> {
    const expired = await this.store.expireApprovals(this.now(), (list) => list.map((a) => this.stateEntry(a)));
    for (const a of expired) await this.changed('expired', a);
  }

  /** After a change has committed (with its record): tells this process, then the others. */
  private async changed(event: ApprovalEvent, approval: Approval): Promise<void> {
    this.emit(event, approval);
    await this.options.changes?.publish('approvals', approval.id);
  }

  private emit(event: ApprovalEvent, approval: Approval): void {
    this.waiters.changed(approval);
    for (const l of this.listeners) l(event, approval);
  }

  private stateEntry(approval: Approval): AuditEntry {
    return this.entry('approval_state', approval, { status: approval.status });
  }

  private entry(kind: string, approval: Approval, fields: Record<string, unknown>): AuditEntry {
    return {
      kind,
      time: new Date(this.now()).toISOString(),
      approval_id: approval.id,
      approval_kind: approval.kind,
      request_id: approval.request_id,
      ...fields,
    };
  }
}
