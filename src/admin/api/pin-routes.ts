// /api/v1/mcp/pins: the tool pins of MCP servers, and accepting a changed definition. Listing is
// `admin.pins.read` on the control plane; accepting is `admin.pins.accept` on the tool itself
// (`Tool::"<server>/<tool>"`, parent `Resource::"<server>"`), so a bundle can say who may trust a
// new definition of which server's tools. The optional `digest` makes the acceptance exactly the
// definition the reviewer saw: a server that changed it again meanwhile gets a 409.
import { z } from 'zod';
import { principalUid } from '../../model/principal.js';
import type { ToolPins } from '../../proxies/mcp/pins/tool-pins.js';
import type { Route } from '../routes.js';
import { parseBody } from './parse-body.js';

const acceptBody = z.strictObject({ digest: z.string().regex(/^[0-9a-f]{64}$/, { message: 'must be a hex SHA-256 digest' }).optional() });

export function pinRoutes(pins: ToolPins): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/api/v1/mcp/pins',
      action: 'admin.pins.read',
      doc: {
        summary: 'The tool pins of MCP servers: trusted digests and changed definitions waiting for review',
        query: { resource: { description: 'only this mcp resource', schema: { type: 'string' } } },
        responses: { 200: { description: 'Tool pins', schema: { type: 'array', items: { type: 'object' } } } },
      },
      async handler({ query }) {
        return { status: 200, json: await pins.list(query.get('resource') ?? undefined) };
      },
    },
    {
      method: 'POST',
      pattern: '/api/v1/mcp/pins/:resource/:tool/accept',
      action: 'admin.pins.accept',
      target: (params) => ({ resource: { type: 'Tool', id: `${params['resource']}/${params['tool']}` }, resourceName: params['resource']! }),
      doc: {
        summary: 'Trust the changed definition of a tool: decided as `admin.pins.accept` on `Tool::"<resource>/<tool>"`',
        body: acceptBody,
        responses: { 200: { description: 'The accepted pin', schema: { type: 'object' } } },
      },
      async handler({ params, body, principal }) {
        const { digest } = parseBody(acceptBody, body);
        return { status: 200, json: await pins.accept(params['resource']!, params['tool']!, digest, principalUid(principal)) };
      },
    },
  ];
}
