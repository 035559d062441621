// GET /api/v1/openapi.json: an OpenAPI 3.1 description of every control-plane route. It is built
// from the very route table the control plane matches requests against (each route carries its
// RouteDoc) plus the open endpoints, so it cannot leave out a route the server has. Request bodies
// are the zod schemas the routes validate with, as JSON Schema.
import { z } from 'zod';
import { packageVersion } from '../../lib/package-version.js';
import type { Route, RouteDoc } from '../routes.js';
import { COMPONENT_SCHEMAS, schemaRef, type JsonSchema } from './openapi-schemas.js';

export const OPENAPI_PATH = '/api/v1/openapi.json';

/** An endpoint that answers without a credential (probes, scrapers, pages, signed callbacks). */
export interface OpenEndpoint {
  readonly method: 'GET' | 'POST';
  readonly pattern: string;
  readonly doc: RouteDoc;
}

const text = (description: string, media = 'text/plain') => ({ description, text: media });

export function openEndpoints(opts: { jwks: boolean; integrations: readonly string[] }): OpenEndpoint[] {
  const status = { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] };
  return [
    { method: 'GET', pattern: '/healthz', doc: { summary: 'Liveness: the process serves', responses: { 200: { description: 'Alive', schema: status } } } },
    {
      method: 'GET',
      pattern: '/readyz',
      doc: { summary: 'Readiness: the store answers', responses: { 200: { description: 'Ready', schema: status }, 503: { description: 'Not ready', schema: status } } },
    },
    {
      method: 'GET',
      pattern: '/metrics',
      doc: {
        summary: 'Prometheus metrics',
        description: 'The Prometheus text format 0.0.4, or OpenMetrics 1.0 when the Accept header prefers application/openmetrics-text.',
        responses: { 200: text('Metrics', 'text/plain; version=0.0.4') },
      },
    },
    { method: 'GET', pattern: OPENAPI_PATH, doc: { summary: 'This description of the control-plane API', responses: { 200: { description: 'OpenAPI 3.1', schema: { type: 'object' } } } } },
    {
      method: 'GET',
      pattern: '/approvals/:id',
      doc: { summary: 'The approval page (HTML): it reads the approval through the API with the reviewer\'s token', responses: { 200: text('The page', 'text/html') } },
    },
    ...(opts.jwks
      ? [{ method: 'GET' as const, pattern: '/.well-known/jwks.json', doc: { summary: 'Public keys of the identity assertions sent to upstreams', responses: { 200: { description: 'A JWK Set', schema: { type: 'object' } } } } }]
      : []),
    ...opts.integrations.map((pattern) => ({
      method: 'POST' as const,
      pattern,
      doc: { summary: 'Integration callback, authenticated by its own signature (Slack interactions)', responses: { 200: { description: 'Handled', schema: { type: 'object' } } } },
    })),
  ];
}

/** `/api/v1/approvals/:id` -> `/api/v1/approvals/{id}` and its path parameters. */
function openApiPath(pattern: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = pattern.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path, params };
}

function operationId(method: string, pattern: string): string {
  const words = pattern.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/**
 * A zod schema as an OpenAPI schema: its `$defs` (recursive parts, such as a Cedar value) move to
 * components under `prefix`, since `#/$defs/...` would resolve against the whole document.
 */
function zodSchema(schema: z.ZodType, prefix: string, components: Record<string, JsonSchema>): JsonSchema {
  const json = JSON.stringify(z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }));
  const rewritten = json.replace(/"#\/\$defs\/([^"]+)"/g, (_, name: string) => `"#/components/schemas/${prefix}${name.replace(/^_+/, '')}"`);
  const { $schema: _ignored, $defs, ...rest } = JSON.parse(rewritten) as Record<string, unknown>;
  for (const [name, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) components[`${prefix}${name.replace(/^_+/, '')}`] = def;
  return rest;
}

function responses(doc: RouteDoc, decided: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(doc.responses)) {
    const media = r.text ?? 'application/json';
    const headers = Object.entries(r.headers ?? {}).map(([name, description]) => [name, { description, schema: { type: 'string' } }]);
    out[status] = {
      description: r.description,
      ...(headers.length ? { headers: Object.fromEntries(headers) } : {}),
      content: { [media]: { schema: r.schema ?? { type: 'string' } } },
    };
  }
  if (decided) Object.assign(out, { '4XX': { $ref: '#/components/responses/Problem' }, '5XX': { $ref: '#/components/responses/Problem' } });
  return out;
}

function operation(route: Route | OpenEndpoint, components: Record<string, JsonSchema>): Record<string, unknown> {
  const { doc, method, pattern } = route;
  const decided = 'action' in route;
  const id = operationId(method, pattern);
  const { params } = openApiPath(pattern);
  const parameters = [
    ...params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...Object.entries(doc.query ?? {}).map(([name, q]) => ({ name, in: 'query', required: q.required ?? false, description: q.description, schema: q.schema })),
  ];
  return {
    operationId: id,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: zodSchema(doc.body, `${id}Body`, components) } } } } : {}),
    responses: responses(doc, decided),
    ...(decided ? { 'x-airlock-action': route.action } : { security: [] }),
  };
}

export function openApiDocument(routes: readonly Route[], open: readonly OpenEndpoint[]): Record<string, unknown> {
  const components: Record<string, JsonSchema> = { ...COMPONENT_SCHEMAS };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of [...open, ...routes]) {
    const { path } = openApiPath(route.pattern);
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(route, components);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Airlock control plane',
      version: packageVersion(),
      description:
        'Every operation with `x-airlock-action` is decided by the policy bundle as that action (on `Airlock::"control-plane"`, and on the object it names) and audited; refusals are RFC 9457 problems.',
    },
    paths,
    components: {
      schemas: components,
      responses: {
        Problem: { description: 'A refusal or an error', content: { 'application/problem+json': { schema: schemaRef('Problem') } } },
      },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An OIDC access token (JWT) or an Airlock API key' } },
    },
    security: [{ bearer: [] }],
  };
}
