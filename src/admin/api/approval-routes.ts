// /api/v1/approvals: list, show, approve, deny. Voting is itself a decided action (`admin.approve`,
// `admin.deny`), so a bundle can demand step-up MFA of approvers; the approval's own rules (an
// approving group, not the requester, one vote each) are enforced by the service on top.
import { z } from 'zod';
import type { ApprovalService } from '../../approvals/service.js';
import type { ApprovalStatus, VoteChoice } from '../../approvals/types.js';
import { AirlockError } from '../../lib/errors.js';
import type { Route, RouteContext } from '../routes.js';
import { parseBody } from './parse-body.js';

const STATUSES = ['pending', 'approved', 'denied', 'expired', 'used'] as const;
const voteBody = z.strictObject({ reason: z.string().max(2000).default('') });

export function approvalRoutes(approvals: ApprovalService): Route[] {
  const vote = (choice: VoteChoice) => async ({ principal, params, body }: RouteContext) => {
    const { reason } = parseBody(voteBody, body);
    return { status: 200, json: await approvals.vote(params.id!, principal, choice, reason) };
  };
  return [
    {
      method: 'GET',
      pattern: '/api/v1/approvals',
      action: 'admin.approvals.read',
      async handler({ query }) {
        const status = query.get('status');
        if (status !== null && !STATUSES.includes(status as ApprovalStatus)) {
          throw new AirlockError('bad_request', `"status" must be one of ${STATUSES.join(', ')}`);
        }
        return { status: 200, json: await approvals.list((status ?? undefined) as ApprovalStatus | undefined) };
      },
    },
    {
      method: 'GET',
      pattern: '/api/v1/approvals/:id',
      action: 'admin.approvals.read',
      async handler({ params }) {
        const approval = await approvals.get(params.id!);
        if (!approval) throw new AirlockError('not_found', `no approval ${params.id}`);
        return { status: 200, json: approval };
      },
    },
    { method: 'POST', pattern: '/api/v1/approvals/:id/approve', action: 'admin.approve', handler: vote('approve') },
    { method: 'POST', pattern: '/api/v1/approvals/:id/deny', action: 'admin.deny', handler: vote('deny') },
  ];
}
