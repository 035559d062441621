// The walk-through of examples/kubernetes, run with the example's own policies and quotas against
// the stand-in API server (no real API server can be installed on these machines): an agent's key
// runs `kubectl scale deployment trainer --replicas=20`, gets approval_required, an SRE approves,
// the retry scales once; a Job asking for 8 GPUs over its team's quota is refused by the webhook.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { REPO, runCli } from '../support/airlock-process.js';
import { admissionReview, gpuWorkload, postReview } from '../support/admission-review.js';
import { findKubectls, kubectlWith } from '../support/kubectl.js';
import { startKubeGateway, type KubeGateway } from '../support/kube-gateway.js';
import { testCerts } from '../support/tls-certs.js';

const EXAMPLE = path.join(REPO, 'examples/kubernetes');
const policies = Object.fromEntries(
  ['kubernetes.cedar', 'control.cedar', 'tests/kubernetes.yaml'].map((f) => [f, readFileSync(path.join(EXAMPLE, 'policies', f), 'utf8')]),
);
const example = parseYaml(readFileSync(path.join(EXAMPLE, 'airlock.yaml'), 'utf8')) as { resources: { quotas: unknown; budget_ms: number }[] };
const kubectl = findKubectls()[0];

describe('examples/kubernetes: the agent scales the cluster', { skip: kubectl ? false : 'no kubectl found (.ci/run installs Debian kubernetes-client)' }, () => {
  let gw: KubeGateway;
  before(async () => {
    gw = await startKubeGateway({ name: 'prod', policies, admission: true, resource: { quotas: example.resources[0]!.quotas, budget_ms: example.resources[0]!.budget_ms, reconcile_seconds: 0 } });
    gw.api.put('apps', 'deployments', {
      metadata: { name: 'trainer', namespace: 'ml', labels: { team: 'ml' } },
      spec: { replicas: 2, template: { metadata: { labels: { team: 'ml' } }, spec: { containers: [{ name: 'train', image: 'registry.internal/trainer:7', resources: { limits: { 'nvidia.com/gpu': 1 } } }] } } },
    });
  });
  after(() => gw.stop());

  it('passes its own policy tests', async () => {
    const r = await runCli(['policy', 'test', path.join(EXAMPLE, 'policies')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /8 passed, 0 failed/);
  });

  it('scales to 20 replicas once, after an SRE approves', async () => {
    const key = (await runCli(['keys', 'create', '--agent', 'trainer-bot', '--groups', 'ml-eng', '--config', gw.airlock.configFile])).stdout.trim();
    const config = await runCli(['kubeconfig', 'prod', '--server', gw.airlock.dataUrl, '--ca-file', testCerts().caFile, '--namespace', 'ml'], { env: { AIRLOCK_TOKEN: key } });
    const run = await kubectlWith(kubectl!, config.stdout);

    const asked = await run(['scale', 'deployment', 'trainer', '--replicas=20']);
    assert.notEqual(asked.code, 0);
    assert.match(asked.stderr, /Error from server \(Forbidden\): airlock approval_required: this action needs an approval \(approval_id [0-9a-f-]{36}: once it is approved, run the same command again\)/);
    const id = /approval_id ([0-9a-f-]{36})/.exec(asked.stderr)![1]!;

    const sre = await gw.airlock.token({ sub: 'sam', groups: ['sre'] });
    const shown = await runCli(['approvals', 'show', id, '--server', gw.airlock.adminUrl], { env: { AIRLOCK_TOKEN: sre } });
    assert.match(shown.stdout, /k8s\.scale/);
    assert.match(shown.stdout, /K8sObject::"prod\/ml\/deployments\/trainer"/);
    const approved = await runCli(['approvals', 'approve', id, '--reason', 'planned training run', '--server', gw.airlock.adminUrl], { env: { AIRLOCK_TOKEN: sre } });
    assert.equal(approved.code, 0, approved.stderr);

    const scaled = await run(['scale', 'deployment', 'trainer', '--replicas=20']);
    assert.equal(scaled.code, 0, scaled.stderr);
    assert.match(scaled.stdout, /scaled/);
    assert.equal(gw.api.get('apps', 'deployments', 'ml', 'trainer')?.spec.replicas, 20);
    const scaleRequests = gw.api.received.filter((r) => r.method !== 'GET' && r.url.includes('/deployments/trainer'));
    assert.equal(scaleRequests.length, 1, 'the API server saw the scale once');
  });

  it('refuses a Job asking for 8 GPUs over its team quota, with a clear message', async () => {
    assert.equal((await postReview(gw.airlock.admissionUrl!, 'prod', admissionReview('deployments', gpuWorkload('deployments', 'serving', 2, { replicas: 2 })))).body.response.allowed, true);
    const refused = (await postReview(gw.airlock.admissionUrl!, 'prod', admissionReview('jobs', gpuWorkload('jobs', 'finetune', 8)))).body.response;
    assert.equal(refused.allowed, false);
    assert.match(refused.status.message, /^airlock quota_exceeded: team "ml" asks for 8 GPUs with 4 of its 8 in use \[request_id [0-9a-f-]{36}\]$/);
  });
});
