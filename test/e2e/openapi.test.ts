// GET /api/v1/openapi.json from a real `airlock serve`: open (tools carry no identity), a valid
// OpenAPI 3.1 document (@readme/openapi-parser), and in step with the server both ways: every
// /api/v1 route the gateway registers is described, and every described operation is one the
// server answers (never its "no such endpoint").
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compileErrors, validate } from '@readme/openapi-parser';
import { apiRoutes, type ApiDeps } from '../../src/admin/api/index.js';
import { startAirlock, type RunningAirlock } from '../support/airlock-process.js';

type Operation = { security?: unknown[]; 'x-airlock-action'?: string };
type Paths = Record<string, Record<string, Operation>>;

let airlock: RunningAirlock;
let doc: { openapi: string; paths: Paths };

before(async () => {
  airlock = await startAirlock({
    policies: { 'p.cedar': 'permit(principal, action == Action::"model.invoke", resource);' },
    resources: [{ name: 'llm', type: 'openai', upstream: 'http://127.0.0.1:1', identity_assertion: { audience: 'llm' } }],
  });
  const res = await fetch(`${airlock.adminUrl}/api/v1/openapi.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  doc = (await res.json()) as typeof doc;
});

after(async () => {
  await airlock.stop();
});

describe('GET /api/v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, served without a credential', async () => {
    assert.equal(doc.openapi, '3.1.0');
    const result = await validate(structuredClone(doc) as never);
    assert.ok(result.valid, compileErrors(result));
  });

  it('describes every /api/v1 route the gateway registers', () => {
    // The same table gateway/start.ts gives the control plane; listing it calls no dependency.
    for (const r of apiRoutes({ consoleUrl: () => '' } as unknown as ApiDeps)) {
      const path = r.pattern.replace(/:([A-Za-z_]+)/g, '{$1}');
      assert.equal(doc.paths[path]?.[r.method.toLowerCase()]?.['x-airlock-action'], r.action, `${r.method} ${r.pattern}`);
    }
  });

  it('describes only operations the server answers', async () => {
    const token = await airlock.token({ sub: 'mallory' }); // may do nothing on the control plane
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const url = `${airlock.adminUrl}${path.replace(/\{[^}]+\}/g, 'x')}`;
        const res = await fetch(url, {
          method: method.toUpperCase(),
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          ...(method === 'post' ? { body: '{}' } : {}),
        });
        const body = await res.text();
        assert.ok(!/no such endpoint|method not allowed here/.test(body), `${method.toUpperCase()} ${path}: ${res.status} ${body}`);
        if (op.security?.length === 0 && method === 'get') assert.equal(res.status, 200, `${path} is open`);
        if (op['x-airlock-action']) assert.ok([400, 403, 404].includes(res.status), `${method.toUpperCase()} ${path} is decided: ${res.status} ${body}`);
      }
    }
    const unknown = await (await fetch(`${airlock.adminUrl}/api/v1/nothing`, { headers: { authorization: `Bearer ${token}` } })).json();
    assert.match((unknown as { detail: string }).detail, /no such endpoint/);
  });
});
