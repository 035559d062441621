// @kubernetes/client-node 1.4 through the gateway, and what raw clients can send: a real
// `airlock serve` in front of the stand-in API server (test/support/kube-apiserver.ts; no real API
// server can be installed on these machines). Typed calls and their Status refusals, a watch that
// streams and one cut mid-stream, exec over WebSocket and the SPDY upgrade relayed, and bad input:
// bodies, patches, headers and an API server that is slow or gone, each refused as a Status with
// nothing forwarded undecided and every request in the audit log.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { connect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { ApiException, AppsV1Api, CoreV1Api, Exec, KubeConfig, Watch } from '@kubernetes/client-node';
import { waitFor } from '../../src/lib/test-wait.js';
import { kubeconfig } from '../../src/proxies/kubernetes/kubeconfig.js';
import { GATEWAY_USER_AGENT } from '../../src/proxies/kubernetes/api-client.js';
import { auditRecords, callGateway, startKubeGateway, type KubeGateway } from '../support/kube-gateway.js';
import { testCerts } from '../support/tls-certs.js';

const pod = (name: string, namespace = 'ml') => ({ metadata: { name, namespace }, spec: { containers: [{ name: 'c', image: 'registry.internal/app:1' }] } });
const clientRequests = (gw: KubeGateway, from: number) => gw.api.received.slice(from).filter((r) => r.headers['user-agent'] !== GATEWAY_USER_AGENT);

describe('@kubernetes/client-node through the gateway', () => {
  let gw: KubeGateway;
  let kc: KubeConfig;
  let sre: string;
  before(async () => {
    gw = await startKubeGateway();
    gw.api.put('', 'pods', pod('worker-0'));
    const alice = await gw.airlock.token({ sub: 'alice', groups: ['ml-eng'] });
    sre = await gw.airlock.token({ sub: 'sam', groups: ['sre'] });
    kc = new KubeConfig();
    kc.loadFromString(kubeconfig({ name: 'cluster', server: gw.airlock.dataUrl, token: alice, ca: readFileSync(testCerts().caFile, 'utf8') }));
  });
  after(() => gw.stop());

  it('lists and creates what the policy allows, and raises a Status refusal for the rest', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    const pods = await core.listNamespacedPod({ namespace: 'ml' });
    assert.deepEqual(pods.items.map((p) => p.metadata?.name), ['worker-0']);
    const body = { metadata: { name: 'infer' }, spec: { selector: { matchLabels: { app: 'infer' } }, template: { metadata: { labels: { app: 'infer' } }, spec: { containers: [{ name: 'c', image: 'registry.internal/infer:2' }] } } } };
    await apps.createNamespacedDeployment({ namespace: 'ml', body });
    assert.ok(gw.api.get('apps', 'deployments', 'ml', 'infer'));

    const before = gw.api.received.length;
    const hub = { ...body, metadata: { name: 'hub' }, spec: { ...body.spec, template: { spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
    const err = await apps.createNamespacedDeployment({ namespace: 'ml', body: hub }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ApiException, String(err));
    assert.equal(err.code, 403);
    const status = JSON.parse(err.body as string) as { kind: string; reason: string; details: { code: string; request_id: string } };
    assert.deepEqual([status.kind, status.reason, status.details.code], ['Status', 'Forbidden', 'denied']);
    assert.match(status.details.request_id, /^[0-9a-f-]{36}$/);
    assert.equal(clientRequests(gw, before).length, 0, 'nothing reached the API server');
  });

  it('streams a watch as events happen, and records a watch cut mid-stream', async () => {
    const events: string[] = [];
    let ended: unknown = 'open';
    const watch = new Watch(kc);
    const abort = await watch.watch('/api/v1/namespaces/ml/pods', { resourceVersion: '1' }, (type, obj: { metadata: { name: string } }) => events.push(`${type} ${obj.metadata.name}`), (e) => (ended = e ?? null));
    gw.api.put('', 'pods', pod('worker-1'));
    await waitFor(() => events.includes('ADDED worker-1'), 10_000);
    gw.api.put('', 'pods', { ...pod('worker-1'), spec: { ...pod('worker-1').spec, nodeName: 'gpu-3' } });
    await waitFor(() => events.includes('MODIFIED worker-1'), 10_000);
    gw.api.cutWatches();
    await waitFor(() => ended !== 'open', 10_000);
    abort.abort();
    const records = await auditRecords(gw, sre);
    const decision = records.find((r) => r.kind === 'decision' && r.action === 'k8s.watch');
    assert.ok(decision, 'the watch was decided');
    await waitFor(async () => (await auditRecords(gw, sre)).some((r) => r.kind === 'outcome' && r.request_id === decision.request_id), 10_000);
    const outcome = (await auditRecords(gw, sre)).find((r) => r.kind === 'outcome' && r.request_id === decision.request_id)!;
    assert.equal(outcome.status, 200);
    assert.equal(outcome.error, 'upstream_unavailable', 'the cut is in the log');
  });

  it('runs exec over WebSocket after deciding it, and audits the session with its command and bytes', async () => {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    let status: { status?: string } | undefined;
    const ws = await new Exec(kc).exec('ml', 'worker-0', 'c', ['python', 'train.py'], stdout, null, null, false, (s) => (status = s));
    await new Promise<void>((resolve) => ws.on('close', () => resolve()));
    assert.match(out, /ran: python train\.py/);
    assert.equal(status?.status, 'Success');
    await waitFor(async () => (await auditRecords(gw, sre)).some((r) => r.kind === 'outcome' && r.session === 'websocket'), 10_000);
    const records = await auditRecords(gw, sre);
    const decision = records.find((r) => r.kind === 'decision' && r.action === 'k8s.exec')!;
    assert.deepEqual(decision.command, ['python', 'train.py']);
    assert.deepEqual(decision.context.command, ['python', 'train.py']);
    const start = records.find((r) => r.kind === 'k8s_session' && r.request_id === decision.request_id);
    assert.equal(start?.status, 101);
    const end = records.find((r) => r.kind === 'outcome' && r.request_id === decision.request_id)!;
    assert.ok(end.bytes_out > 0 && end.bytes_in > 0, JSON.stringify(end));
  });

  it('refuses exec in a namespace the policy does not allow, before any upgrade reaches the API server', async () => {
    gw.api.put('', 'pods', pod('db-0', 'prod'));
    const before = gw.api.received.length;
    const err = await new Exec(kc).exec('prod', 'db-0', 'c', ['sh'], new PassThrough(), null, null, false).then(() => undefined, (e: unknown) => e);
    assert.ok(err, 'refused');
    assert.equal(clientRequests(gw, before).length, 0);
  });
});

describe('SPDY upgrades (kubectl before 1.30)', () => {
  let gw: KubeGateway;
  before(async () => {
    gw = await startKubeGateway();
    gw.api.put('', 'pods', pod('worker-0'));
  });
  after(() => gw.stop());

  /** An upgrade request as kubectl 1.20 sends it, on a raw TLS socket; resolves with what came back. */
  function spdy(token: string, namespace: string, send: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const url = new URL(gw.server);
      const socket = connect({ host: url.hostname, port: Number(url.port), ca: readFileSync(testCerts().caFile) }, () => {
        socket.write(
          `POST /cluster/api/v1/namespaces/${namespace}/pods/worker-0/exec?command=bash&stdin=true&stdout=true HTTP/1.1\r\nHost: ${url.host}\r\n` +
            `Authorization: Bearer ${token}\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\nContent-Length: 0\r\n\r\n`,
        );
      });
      let got = '';
      socket.on('data', (c: Buffer) => {
        got += c.toString('latin1');
        if (got.includes('\r\n\r\n') && got.startsWith('HTTP/1.1 101') && !got.includes(send)) socket.write(send);
        if (got.includes(send) || !got.startsWith('HTTP/1.1 101')) setTimeout(() => socket.end(), 50);
      });
      socket.on('close', () => resolve(got));
      socket.on('error', reject);
    });
  }

  it('relays the SPDY session both ways once decided, and refuses with a Status when not', async () => {
    const alice = await gw.airlock.token({ sub: 'alice', groups: ['ml-eng'] });
    const got = await spdy(alice, 'ml', '\x80\x03\x00\x01frame');
    assert.match(got, /^HTTP\/1\.1 101 /);
    assert.match(got, /airlock-request-id: [0-9a-f-]{36}/);
    assert.ok(got.endsWith('\x80\x03\x00\x01frame'), 'bytes relayed unchanged');
    const refused = await spdy(alice, 'prod', 'x');
    assert.match(refused, /^HTTP\/1\.1 403 /);
    assert.match(refused, /"kind":"Status"/);
    assert.match(refused, /airlock denied/);
  });
});

describe('bad input and a failing API server', () => {
  let gw: KubeGateway;
  let alice: string;
  let sre: string;
  before(async () => {
    gw = await startKubeGateway({ resource: { timeouts: { connect_ms: 1000, response_ms: 1000 } } });
    gw.api.put('apps', 'deployments', { metadata: { name: 'trainer', namespace: 'ml' }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'train', image: 'registry.internal/t:1' }] } } } });
    alice = await gw.airlock.token({ sub: 'alice', groups: ['ml-eng'] });
    sre = await gw.airlock.token({ sub: 'sam', groups: ['sre'] });
  });
  after(() => gw.stop());

  const deployments = '/apis/apps/v1/namespaces/ml/deployments';
  const cases: [string, string, string, { body?: string; headers?: Record<string, string> }, number, string][] = [
    ['a body that is not JSON', 'POST', deployments, { body: '{"metadata":' }, 400, 'bad_request'],
    ['a body with a duplicate key', 'POST', deployments, { body: '{"metadata":{"name":"a"},"spec":{"replicas":1,"replicas":50}}' }, 400, 'bad_request'],
    ['replicas that are not a number', 'POST', deployments, { body: '{"metadata":{"name":"a"},"spec":{"replicas":"50"}}' }, 400, 'bad_request'],
    ['a GPU limit that is not a quantity', 'POST', deployments, { body: JSON.stringify({ metadata: { name: 'a' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'registry.internal/x', resources: { limits: { 'nvidia.com/gpu': 'many' } } }] } } } }) }, 400, 'bad_request'],
    ['a protobuf body', 'POST', deployments, { body: 'k8s\x00', headers: { 'content-type': 'application/vnd.kubernetes.protobuf' } }, 415, 'unsupported_media_type'],
    ['a patch of an unknown type', 'PATCH', `${deployments}/trainer`, { body: '{}', headers: { 'content-type': 'text/plain' } }, 415, 'unsupported_media_type'],
    ['a JSON patch that cannot apply', 'PATCH', `${deployments}/trainer`, { body: '[{"op":"replace","path":"/spec/nope/x","value":1}]', headers: { 'content-type': 'application/json-patch+json' } }, 400, 'bad_request'],
    ['a JSON patch that is not a list', 'PATCH', `${deployments}/trainer`, { body: '{"op":"add"}', headers: { 'content-type': 'application/json-patch+json' } }, 400, 'bad_request'],
    ['an apply patch that is not YAML', 'PATCH', `${deployments}/trainer`, { body: 'a: [b', headers: { 'content-type': 'application/apply-patch+yaml' } }, 400, 'bad_request'],
    ['an apply patch with a duplicate key', 'PATCH', `${deployments}/trainer`, { body: 'spec:\n  replicas: 1\n  replicas: 40\n', headers: { 'content-type': 'application/apply-patch+yaml' } }, 400, 'bad_request'],
    ['an impersonation header', 'GET', '/api/v1/namespaces/ml/pods', { headers: { 'impersonate-user': 'system:admin' } }, 400, 'bad_request'],
    ['a compressed write', 'POST', deployments, { body: 'xx', headers: { 'content-encoding': 'gzip' } }, 415, 'unsupported_media_type'],
    ['a path that is not an API path', 'GET', '/healthz', {}, 403, 'denied'],
    ['an unknown method', 'OPTIONS', '/api/v1/namespaces/ml/pods', {}, 403, 'denied'],
  ];
  for (const [what, method, path, opts, status, code] of cases) {
    it(`refuses ${what} with a Status (${status} ${code}), forwarding nothing`, async () => {
      const before = gw.api.received.length;
      const res = await callGateway(gw, method, path, { token: alice, ...opts });
      assert.equal(res.status, status, res.text);
      const body = res.json();
      assert.deepEqual([body.kind, body.apiVersion, body.status, body.code, body.details.code], ['Status', 'v1', 'Failure', status, code]);
      assert.equal(clientRequests(gw, before).length, 0);
      const requestId = res.headers['airlock-request-id'];
      await waitFor(async () => (await auditRecords(gw, sre)).some((r) => r.kind === 'decision' && r.request_id === requestId), 10_000);
    });
  }

  it('answers 401 Unauthorized as a Status without a token', async () => {
    const res = await callGateway(gw, 'GET', '/api/v1/namespaces/ml/pods');
    assert.equal(res.status, 401);
    assert.deepEqual([res.json().reason, res.json().details.code], ['Unauthorized', 'unauthenticated']);
  });

  it('answers 504 as a Status when the API server is slow, and 502 when it is gone', async () => {
    gw.api.delayMs = 2500;
    const slow = await callGateway(gw, 'GET', '/api/v1/namespaces/ml/pods', { token: alice });
    assert.equal(slow.status, 504, slow.text);
    assert.deepEqual([slow.json().reason, slow.json().details.code], ['Timeout', 'upstream_timeout']);
    const patch = await callGateway(gw, 'PATCH', `${deployments}/trainer/scale`, { token: alice, body: '{"spec":{"replicas":2}}', headers: { 'content-type': 'application/merge-patch+json' } });
    assert.equal(patch.status, 504, 'the current object could not be read in time: not decided blind');
    gw.api.delayMs = 0;
    await gw.api.close();
    const gone = await callGateway(gw, 'GET', '/api/v1/namespaces/ml/pods', { token: alice });
    assert.equal(gone.status, 502, gone.text);
    assert.deepEqual([gone.json().reason, gone.json().details.code], ['ServiceUnavailable', 'upstream_unavailable']);
  });
});
