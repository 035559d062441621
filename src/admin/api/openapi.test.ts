import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileErrors, validate } from '@readme/openapi-parser';
import { apiRoutes, type ApiDeps } from './index.js';
import { openApiDocument, openEndpoints } from './openapi.js';

// The factories only close over their dependencies; listing the routes calls none of them.
const routes = apiRoutes({ consoleUrl: () => 'http://localhost' } as unknown as ApiDeps);
const doc = openApiDocument(routes, openEndpoints({ jwks: true, integrations: ['/integrations/slack/interactions'] }));
type Paths = Record<string, Record<string, { 'x-airlock-action'?: string; security?: unknown[] }>>;

describe('the OpenAPI description', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await validate(structuredClone(doc) as never);
    assert.ok(result.valid, compileErrors(result));
    assert.equal(doc.openapi, '3.1.0');
  });

  it('has every /api/v1 route, with the Cedar action that decides it', () => {
    const paths = doc.paths as Paths;
    for (const r of routes) {
      const op = paths[r.pattern.replace(/:([A-Za-z_]+)/g, '{$1}')]?.[r.method.toLowerCase()];
      assert.ok(op, `${r.method} ${r.pattern} is described`);
      assert.equal(op['x-airlock-action'], r.action);
      assert.equal(op.security, undefined, 'decided routes need the bearer token');
    }
  });

  it('describes the open endpoints as needing no credential', () => {
    const paths = doc.paths as Paths;
    for (const p of ['/healthz', '/readyz', '/metrics', '/api/v1/openapi.json', '/approvals/{id}', '/.well-known/jwks.json']) {
      assert.deepEqual(paths[p]?.get?.security, [], p);
    }
  });

  it('keeps the recursive parts of request bodies resolvable (a gate context holds Cedar values)', () => {
    const text = JSON.stringify(doc);
    assert.ok(!text.includes('#/$defs/'), 'no reference into a $defs the document does not have');
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      assert.ok(name! in (doc.components as { schemas: object }).schemas, `${name} is defined`);
    }
  });
});
