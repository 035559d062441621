// /api/v1/approvals: list, show, approve, deny. Voting is itself a decided action (`admin.approve`,
// `admin.deny`), so a bundle can demand step-up MFA of approvers; the approval's own rules (an
// approving group, not the requester, one vote each) are enforced by the service on top.
import { z } from 'zod';
import type { ApprovalService } from '../../approvals/service.js';
import type { Approval, ApprovalStatus, VoteChoice } from '../../approvals/types.js';
import { AirlockError } from '../../lib/errors.js';
import type { Route, RouteContext } from '../routes.js';
import type { RouteObject } from '../object-scope.js';
import { mapDefined } from '../../lib/map-defined.js';
import { schemaRef } from './openapi-schemas.js';
import { nextPageHeaders, PAGE_HEADERS, PAGE_QUERY, pageRequest } from './paging.js';
import { parseBody } from './parse-body.js';

const STATUSES = ['pending', 'approved', 'denied', 'expired', 'used'] as const;
const voteBody = z.strictObject({ reason: z.string().max(2000).default('') });

/** An approval as the bundle sees it on object routes: `Approval::"<id>"` with who asked and for what. */
export function approvalObject(a: Approval): RouteObject {
  return {
    ref: { type: 'Approval', id: a.id },
    attributes: {
      requester: { __entity: { type: a.principal.type, id: a.principal.id } },
      requester_groups: [...a.principal.groups],
      kind: a.kind,
      status: a.status,
      action: a.action,
      resource: a.resource,
      resource_name: a.resource_name ?? '',
      groups: [...a.groups],
    },
  };
}

const voteDoc = (choice: VoteChoice) => ({
  summary: `Vote to ${choice}: by a member of an approving group who is not the requester; a second vote by the same approver does not count`,
  body: voteBody,
  responses: { 200: { description: 'The approval after the vote', schema: schemaRef('Approval') } },
});

export function approvalRoutes(approvals: ApprovalService): Route[] {
  const object = { name: 'approval', load: async (p: Readonly<Record<string, string>>) => mapDefined(await approvals.get(p.id!), approvalObject) };
  const vote = (choice: VoteChoice) => async ({ principal, params, body }: RouteContext) => {
    const { reason } = parseBody(voteBody, body);
    return { status: 200, json: await approvals.vote(params.id!, principal, choice, reason) };
  };
  return [
    {
      method: 'GET',
      pattern: '/api/v1/approvals',
      action: 'admin.approvals.read',
      async handler({ query, visible }) {
        const status = query.get('status');
        if (status !== null && !STATUSES.includes(status as ApprovalStatus)) {
          throw new AirlockError('bad_request', `"status" must be one of ${STATUSES.join(', ')}`);
        }
        const { limit, before } = pageRequest(query);
        const page = await approvals.list((status ?? undefined) as ApprovalStatus | undefined, limit, before);
        const items = page.items.filter((a) => visible(approvalObject(a)));
        return { status: 200, json: items, headers: nextPageHeaders('/api/v1/approvals', query, page.next) };
      },
      doc: {
        summary: 'Approvals the caller may see, newest first',
        description: 'Each entry is decided on `Approval::"<id>"`: the list holds only what the caller may read. The body stays an array; further pages are linked.',
        query: { status: { description: 'Only approvals with this status', schema: { enum: [...STATUSES] } }, ...PAGE_QUERY },
        responses: { 200: { description: 'Approvals', schema: { type: 'array', items: schemaRef('Approval') }, headers: PAGE_HEADERS } },
      },
    },
    {
      method: 'GET',
      pattern: '/api/v1/approvals/:id',
      action: 'admin.approvals.read',
      object,
      async handler({ params }) {
        const approval = await approvals.get(params.id!);
        if (!approval) throw new AirlockError('not_found', `no approval ${params.id}`);
        return { status: 200, json: approval };
      },
      doc: { summary: 'One approval (404 also when the caller may not see it)', responses: { 200: { description: 'The approval', schema: schemaRef('Approval') } } },
    },
    { method: 'POST', pattern: '/api/v1/approvals/:id/approve', action: 'admin.approve', object, handler: vote('approve'), doc: voteDoc('approve') },
    { method: 'POST', pattern: '/api/v1/approvals/:id/deny', action: 'admin.deny', object, handler: vote('deny'), doc: voteDoc('deny') },
  ];
}
