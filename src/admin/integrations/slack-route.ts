// Slack's interactions endpoint: an Approve or Deny click in a Slack message becomes a vote. The
// Slack signature authenticates the request; the Slack user is mapped to an Airlock principal by
// config, and the vote then goes the normal way: decided by the bundle as `admin.approve` /
// `admin.deny` on `Airlock::"control-plane"` and on the approval itself (`Approval::"<id>"`, as the
// API decides it: a forbid on either refuses; a bundle demanding MFA of approvers therefore
// refuses Slack votes), audited, and held to the approval's own rules by the service.
import type { IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import { handleSlackInteraction, type SlackChannelConfig, type SlackVoter } from '../../approvals/channels/index.js';
import type { ApprovalService } from '../../approvals/service.js';
import type { VoteChoice } from '../../approvals/types.js';
import { decisionRecord } from '../../audit/records.js';
import type { AuditWriter } from '../../audit/writer.js';
import { commonContext, type PolicyEngine } from '../../decide/index.js';
import { AirlockError } from '../../lib/errors.js';
import { UNKNOWN_MFA_AGE, type Principal } from '../../model/principal.js';
import { approvalObject } from '../api/approval-routes.js';
import { CONTROL_PLANE } from '../control-plane.js';
import { objectRequest, scopedDecision } from '../object-scope.js';
import type { RouteResult } from '../routes.js';

export const SLACK_INTERACTIONS_PATH = '/integrations/slack/interactions';

export interface SlackRouteDeps {
  readonly channels: readonly SlackChannelConfig[];
  readonly engine: () => PolicyEngine;
  readonly approvals: ApprovalService;
  readonly audit: AuditWriter;
  readonly withGrants: (p: Principal) => Principal;
  readonly now: () => Date;
}

export function slackInteractions(deps: SlackRouteDeps) {
  return async (rawBody: string, headers: IncomingHttpHeaders, clientIp: string): Promise<RouteResult> => {
    const vote = async (approvalId: string, voter: SlackVoter, choice: VoteChoice, reason: string) => {
      const principal = deps.withGrants({ type: 'User', id: voter.id, groups: voter.groups, mfa: false, mfaAge: UNKNOWN_MFA_AGE, authMethod: 'slack' });
      const action = choice === 'approve' ? 'admin.approve' : 'admin.deny';
      const time = deps.now();
      const context = commonContext({ principal, sourceIp: clientIp, method: 'POST', path: SLACK_INTERACTIONS_PATH, now: time });
      const engine = deps.engine();
      const onControlPlane = engine.decide({ principal, request: { action, resource: CONTROL_PLANE, resourceName: '', context: {} }, context });
      const approval = await deps.approvals.get(approvalId);
      const object = approval && approvalObject(approval);
      const decision = object ? scopedDecision(onControlPlane, engine.decide({ principal, request: objectRequest(action, object), context })) : onControlPlane;
      await deps.audit.append(
        decisionRecord({ requestId: randomUUID(), time, surface: 'control', principal, action, resource: object?.ref ?? CONTROL_PLANE, context, decision, approvalId }),
      );
      if (decision.effect !== 'allow') return { ok: false, message: `Airlock policy does not let you vote (${decision.effect}).` };
      try {
        const after = await deps.approvals.vote(approvalId, principal, choice, reason);
        return { ok: true, message: `Your ${choice} vote is recorded; the approval is ${after.status}.` };
      } catch (err) {
        if (err instanceof AirlockError) return { ok: false, message: err.message };
        throw err;
      }
    };
    const answer = await handleSlackInteraction(rawBody, headers, { channel: deps.channels, vote });
    return { status: answer.status, ...(answer.json !== undefined ? { json: answer.json } : { text: answer.text ?? '' }) };
  };
}
