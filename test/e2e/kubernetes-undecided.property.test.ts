// Property: nothing reaches the API server undecided. Random requests built from the API's own
// vocabulary (methods, group prefixes, watch and proxy prefixes, namespaces, resources, names,
// subresources, queries, bodies of every patch type) go through a real gateway to the stand-in API
// server (no real API server can be installed on these machines). Every request gets a decision
// record; one the gateway refuses reaches nothing upstream; one that reaches the API server does so
// once, after a decision of `allow`, and never in a namespace the policy keeps out of reach.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzzRuns } from '../../src/lib/fuzz-runs.js';
import { waitFor } from '../../src/lib/test-wait.js';
import { GATEWAY_USER_AGENT } from '../../src/proxies/kubernetes/api-client.js';
import { auditRecords, callGateway, startKubeGateway, type KubeGateway } from '../support/kube-gateway.js';

const segment = (values: readonly string[]) => fc.option(fc.constantFrom(...values), { nil: undefined });

const request = fc.record({
  method: fc.constantFrom('GET', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
  prefix: fc.constantFrom('/api/v1', '/apis/apps/v1', '/apis/batch/v1', '/apis/example.io/v2', '/api', '/apis', '/version', '/healthz', '/openapi/v2', ''),
  special: segment(['watch', 'proxy']),
  namespace: segment(['ml', 'prod', 'kube-system']),
  resource: segment(['pods', 'deployments', 'jobs', 'secrets', 'namespaces', 'nodes']),
  name: segment(['trainer', 'x', 'ml']),
  subresource: segment(['scale', 'status', 'exec', 'log', 'proxy', 'eviction', 'attach', 'finalize']),
  query: fc.constantFrom('', '', '?dryRun=All', '?fieldSelector=metadata.name%3Dtrainer', '?watch=true&timeoutSeconds=1', '?command=sh'),
  body: fc.option(
    fc.record({
      type: fc.constantFrom('application/json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json', 'application/apply-patch+yaml', 'application/yaml', 'text/plain'),
      text: fc.constantFrom(
        '{"metadata":{"name":"trainer"},"spec":{"replicas":3}}',
        '{"spec":{"replicas":50}}',
        '[{"op":"replace","path":"/spec/replicas","value":7}]',
        'spec:\n  replicas: 2\n',
        '{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}',
        '{"broken":',
      ),
    }),
    { nil: undefined },
  ),
});

describe('no undecided request reaches the API server', () => {
  let gw: KubeGateway;
  let alice: string;
  let sre: string;
  before(async () => {
    gw = await startKubeGateway();
    gw.api.put('apps', 'deployments', { metadata: { name: 'trainer', namespace: 'ml' }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', image: 'registry.internal/t:1' }] } } } });
    gw.api.put('', 'pods', { metadata: { name: 'trainer', namespace: 'ml' }, spec: { containers: [{ name: 'c', image: 'registry.internal/t:1' }] } });
    alice = await gw.airlock.token({ sub: 'alice', groups: ['ml-eng'] });
    sre = await gw.airlock.token({ sub: 'sam', groups: ['sre'] });
  });
  after(() => gw.stop());

  it('forwards a request only once it is decided allow, and nothing the gateway refuses', async () => {
    const sent: { requestId: string; forwarded: string[]; refused: boolean }[] = [];
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const path = [r.prefix, r.special, r.namespace && `namespaces/${r.namespace}`, r.resource, r.resource && r.name, r.resource && r.name && r.subresource].filter(Boolean).join('/') || '/';
        const from = gw.api.received.length;
        const res = await callGateway(gw, r.method, `${path.startsWith('/') ? '' : '/'}${path}${r.query}`, {
          token: alice,
          ...(r.body ? { body: r.body.text, headers: { 'content-type': r.body.type } } : {}),
        });
        const requestId = String(res.headers['airlock-request-id'] ?? '');
        assert.match(requestId, /^[0-9a-f-]{36}$/, `${r.method} ${path}: every answer names its request`);
        const forwarded = gw.api.received.slice(from).filter((q) => q.headers['user-agent'] !== GATEWAY_USER_AGENT).map((q) => `${q.method} ${q.url}`);
        let refused = false;
        try {
          refused = res.status >= 400 && res.json<{ details?: { request_id?: string } }>().details?.request_id === requestId;
        } catch {
          // not a Status of the gateway's: the API server's answer (or a HEAD's empty one)
        }
        if (refused) assert.deepEqual(forwarded, [], `${r.method} ${path}: refused by the gateway but forwarded`);
        assert.ok(forwarded.length <= 1, `${r.method} ${path}: forwarded ${forwarded.length} times`);
        assert.ok(!forwarded.some((f) => /\/(api\/v1|apis\/[^/]+\/[^/]+)\/((watch|proxy)\/)?namespaces\/(prod|kube-system)(\/|\?|$)/.test(f)), `${r.method} ${path}: reached a namespace the policy keeps out of reach`);
        sent.push({ requestId, forwarded, refused });
      }),
      { numRuns: fuzzRuns(150) },
    );

    await waitFor(async () => {
      const ids = new Set((await auditRecords(gw, sre)).filter((x) => x.kind === 'decision').map((x) => x.request_id));
      return sent.every((s) => ids.has(s.requestId));
    }, 15_000);
    const decisions = new Map((await auditRecords(gw, sre)).filter((x) => x.kind === 'decision').map((x) => [x.request_id as string, x]));
    for (const s of sent) {
      const d = decisions.get(s.requestId)!;
      if (s.forwarded.length) assert.equal(d.decision, 'allow', `${s.forwarded[0]} was forwarded on a decision of ${d.decision}`);
      if (d.decision !== 'allow') assert.deepEqual(s.forwarded, []);
    }
    assert.ok(sent.some((s) => s.forwarded.length) && sent.some((s) => s.refused), 'both allowed and refused requests were tried');
  });
});
