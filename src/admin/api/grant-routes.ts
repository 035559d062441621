// /api/v1/grants: ask for a group for a while (decided as `grant.request` on `Group::"<group>"`,
// with the bundle's obligations), list grants, revoke one.
import { z } from 'zod';
import type { GrantService } from '../../approvals/grants/service.js';
import type { Route } from '../routes.js';
import type { Grant } from '../../store/ports.js';
import type { RouteObject } from '../object-scope.js';
import { mapDefined } from '../../lib/map-defined.js';
import { nextPageHeaders, PAGE_HEADERS, PAGE_QUERY, pageRequest } from './paging.js';
import { schemaRef } from './openapi-schemas.js';
import { parseBody } from './parse-body.js';

const MAX_GRANT_SECONDS = 30 * 24 * 3600;

const grantBody = z.strictObject({
  group: z.string().min(1).max(200),
  duration_seconds: z.number().int().min(1).max(MAX_GRANT_SECONDS),
  reason: z.string().min(1, 'a reason is required').max(2000),
});

/** A grant as the bundle sees it on object routes: `Grant::"<id>"` with its holder and group. */
export function grantObject(g: Grant): RouteObject {
  return {
    ref: { type: 'Grant', id: g.id },
    attributes: { requester: { __entity: { type: g.principal.type, id: g.principal.id } }, group: g.group, status: g.status },
  };
}

export function grantRoutes(grants: GrantService): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/api/v1/grants',
      action: 'grant.request',
      target: (_params, body) => ({ resource: { type: 'Group', id: parseBody(grantBody, body).group } }),
      handlesApproval: true,
      async handler({ principal, body, decision, context, requestId }) {
        const ask = parseBody(grantBody, body);
        const { grant, approval } = await grants.request(principal, ask, decision, context, requestId);
        return approval
          ? { status: 202, json: { ...grant, approval_id: approval.id, approval_status: approval.status } }
          : { status: 201, json: grant };
      },
      doc: {
        summary: 'Ask for membership of a group for a while: decided as `grant.request` on `Group::"<group>"`',
        body: grantBody,
        responses: {
          201: { description: 'Granted at once', schema: schemaRef('Grant') },
          202: {
            description: 'Waiting for an approval',
            schema: { allOf: [schemaRef('Grant'), { type: 'object', properties: { approval_id: { type: 'string' }, approval_status: { type: 'string' } } }] },
          },
        },
      },
    },
    {
      method: 'GET',
      pattern: '/api/v1/grants',
      action: 'admin.grants.read',
      async handler({ query, visible }) {
        const { limit, before } = pageRequest(query);
        const page = await grants.list(limit, before);
        return { status: 200, json: page.items.filter((g) => visible(grantObject(g))), headers: nextPageHeaders('/api/v1/grants', query, page.next) };
      },
      doc: {
        summary: 'Grants the caller may see, newest first (each decided on `Grant::"<id>"`)',
        query: PAGE_QUERY,
        responses: { 200: { description: 'Grants', schema: { type: 'array', items: schemaRef('Grant') }, headers: PAGE_HEADERS } },
      },
    },
    {
      method: 'POST',
      pattern: '/api/v1/grants/:id/revoke',
      action: 'admin.grants.revoke',
      object: { name: 'grant', load: async (p) => mapDefined(await grants.get(p.id!), grantObject) },
      async handler({ principal, params, requestId }) {
        return { status: 200, json: await grants.revoke(params.id!, principal, requestId) };
      },
      doc: { summary: 'End a grant now (effective on the next request)', responses: { 200: { description: 'The revoked grant', schema: schemaRef('Grant') } } },
    },
  ];
}
