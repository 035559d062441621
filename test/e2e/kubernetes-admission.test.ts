// The admission webhook end to end: a real `airlock serve` with its TLS admission listener, sent
// AdmissionReview v1 requests shaped exactly as kube-apiserver sends them
// (test/support/admission-review.ts; no real API server can be installed on these machines).
// Team GPU quotas, image allow-lists by policy, an approval for a big object admitted once for
// the identical spec, scale reviews, the answer budget, unreadable reviews, the audit records, and
// the generated webhook configuration.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { waitFor } from '../../src/lib/test-wait.js';
import { runCli } from '../support/airlock-process.js';
import { admissionReview, gpuWorkload, postReview } from '../support/admission-review.js';
import { auditRecords, startKubeGateway, type KubeGateway } from '../support/kube-gateway.js';

describe('the admission webhook', () => {
  let gw: KubeGateway;
  let url: string;
  let sre: string;
  before(async () => {
    gw = await startKubeGateway({
      admission: true,
      resource: { quotas: [{ team: 'ml', gpus: 8 }, { team: 'research', gpus: 64 }], budget_ms: 1000, reconcile_seconds: 0, timeouts: { connect_ms: 1000, response_ms: 5000 } },
    });
    url = gw.airlock.admissionUrl!;
    sre = await gw.airlock.token({ sub: 'sam', groups: ['sre'] });
  });
  after(() => gw.stop());

  const review = (...args: Parameters<typeof admissionReview>) => postReview(url, 'cluster', admissionReview(...args));
  const response = (a: { body: Record<string, any> }) => a.body.response as { uid: string; allowed: boolean; status?: { code: number; message: string; reason: string } };

  it('refuses a Job whose GPUs would take its team over quota, with a clear message, and admits it once GPUs are freed', async () => {
    const serving = gpuWorkload('deployments', 'serving', 2, { replicas: 2 });
    const first = await review('deployments', serving);
    assert.equal(response(first).allowed, true, JSON.stringify(first.body));
    const job = admissionReview('jobs', gpuWorkload('jobs', 'finetune', 8));
    const refused = response(await postReview(url, 'cluster', job));
    assert.equal(refused.uid, job.request.uid);
    assert.equal(refused.allowed, false);
    assert.equal(refused.status?.code, 403);
    assert.match(refused.status!.message, /airlock quota_exceeded: team "ml" asks for 8 GPUs with 4 of its 8 in use/);
    assert.match(refused.status!.message, /request_id [0-9a-f-]{36}/);

    assert.equal(response(await review('deployments', serving, { operation: 'DELETE' })).allowed, true, 'deletes are admitted and release');
    assert.equal(response(await review('jobs', gpuWorkload('jobs', 'finetune', 8))).allowed, true);
    assert.equal(response(await review('pods', gpuWorkload('pods', 'extra', 1))).allowed, false, 'the quota is full again');
  });

  it('does not count pods a counted controller made, but still decides them', async () => {
    const owned = gpuWorkload('pods', 'finetune-abcde', 8);
    owned.metadata.ownerReferences = [{ apiVersion: 'batch/v1', kind: 'Job', name: 'finetune', uid: 'u1', controller: true, blockOwnerDeletion: true }];
    assert.equal(response(await review('pods', owned)).allowed, true);
    const foreign = { ...owned, spec: { containers: [{ name: 'main', image: 'docker.io/library/miner:latest' }] } };
    const denied = response(await review('pods', foreign));
    assert.equal(denied.allowed, false);
    assert.match(denied.status!.message, /airlock denied/);
  });

  it('refuses images from registries the policy does not allow', async () => {
    const denied = response(await review('deployments', gpuWorkload('deployments', 'web', 0, { image: 'nginx:1.27', team: 'web' })));
    assert.equal(denied.allowed, false);
    assert.match(denied.status!.message, /airlock denied/);
  });

  it('asks for an approval for a big object and admits the identical spec once after it', async () => {
    const big = () => {
      const job = gpuWorkload('jobs', '', 8, { team: 'research', replicas: 4 });
      job.metadata = { generateName: 'sweep-', namespace: 'ml', labels: { team: 'research' } };
      return admissionReview('jobs', { ...job, metadata: { ...job.metadata, name: `sweep-${Math.random().toString(36).slice(2, 7)}` } });
    };
    const asked = response(await postReview(url, 'cluster', big()));
    assert.equal(asked.allowed, false);
    assert.match(asked.status!.message, /approval_required/);
    const id = /approval_id ([0-9a-f-]{36})/.exec(asked.status!.message)?.[1];
    assert.ok(id, asked.status!.message);
    const vote = await fetch(`${gw.airlock.adminUrl}/api/v1/approvals/${id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${sre}`, 'content-type': 'application/json' }, body: '{"reason":"sweep"}' });
    assert.equal(vote.status, 200, await vote.text());
    const other = admissionReview('jobs', { ...gpuWorkload('jobs', 'other', 8, { team: 'research', replicas: 5 }) });
    assert.equal(response(await postReview(url, 'cluster', other)).allowed, false, 'another spec is not approved');
    assert.equal(response(await postReview(url, 'cluster', big())).allowed, true, 'the identical spec, under a new generated name');
    const again = response(await postReview(url, 'cluster', big()));
    assert.equal(again.allowed, false, 'once');
    assert.notEqual(/approval_id ([0-9a-f-]{36})/.exec(again.status!.message)?.[1], id);
  });

  it('counts a scale review as the replicas times what one replica of the object takes', async () => {
    assert.equal(response(await review('deployments', gpuWorkload('deployments', 'batch', 1, { team: 'research', replicas: 1 }))).allowed, true);
    const scale = (replicas: number) => review('deployments', { metadata: { name: 'batch', namespace: 'ml' }, spec: { replicas } }, { subResource: 'scale', operation: 'UPDATE' });
    assert.equal(response(await scale(16)).allowed, true);
    const tooMany = response(await scale(17));
    assert.equal(tooMany.allowed, false, '17 GPUs need an approval by policy');
    assert.match(tooMany.status!.message, /approval_required/);
  });

  it('answers within its budget when it cannot decide in time, refusing (fail closed)', async () => {
    gw.api.delayMs = 4000;
    try {
      const started = Date.now();
      // No allocation is known for this object, so its scale needs a read of the API server, which is slow.
      const slow = response(await review('statefulsets' as 'deployments', { metadata: { name: 'unknown', namespace: 'ml' }, spec: { replicas: 3 } }, { subResource: 'scale', operation: 'UPDATE' }));
      const took = Date.now() - started;
      assert.equal(slow.allowed, false);
      assert.match(slow.status!.message, /not decided within 1000 ms/);
      assert.ok(took < 3500, `answered after ${took} ms, before the API server would have`);
    } finally {
      gw.api.delayMs = 0;
    }
  });

  it('refuses reviews it cannot read: a 400 without a uid, a refusal with one', async () => {
    const notJson = await postReview(url, 'cluster', '{"kind":');
    assert.equal(notJson.status, 400);
    const noUid = admissionReview('pods', gpuWorkload('pods', 'p', 1));
    delete noUid.request.uid;
    assert.equal((await postReview(url, 'cluster', noUid)).status, 400);
    const noObject = admissionReview('pods', gpuWorkload('pods', 'p', 1));
    delete noObject.request.object;
    const refused = response(await postReview(url, 'cluster', noObject));
    assert.deepEqual([refused.allowed, refused.status?.code], [false, 400]);
    assert.match(refused.status!.message, /request\.object/);
    const wrongVersion = { ...admissionReview('pods', gpuWorkload('pods', 'p', 1)), apiVersion: 'admission.k8s.io/v1beta1' };
    assert.equal(response(await postReview(url, 'cluster', wrongVersion)).allowed, false);
    const noUser = admissionReview('pods', gpuWorkload('pods', 'p', 1));
    delete noUser.request.userInfo;
    assert.equal(response(await postReview(url, 'cluster', noUser)).allowed, false);
    assert.equal((await postReview(url, 'nope', admissionReview('pods', gpuWorkload('pods', 'p', 1)))).status, 404);
  });

  it('leaves a record of every admission', async () => {
    const before = (await auditRecords(gw, sre)).filter((r) => r.kind === 'k8s_admission').length;
    const uids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = admissionReview('pods', gpuWorkload('pods', `audited-${i}`, 0, { team: 'web' }));
      uids.push(r.request.uid);
      await postReview(url, 'cluster', r);
    }
    await waitFor(async () => (await auditRecords(gw, sre)).filter((r) => r.kind === 'k8s_admission').length >= before + 5, 10_000);
    const records = await auditRecords(gw, sre);
    for (const uid of uids) {
      const decision = records.find((r) => r.kind === 'decision' && r.admission_uid === uid);
      assert.equal(decision?.action, 'k8s.admit');
      assert.equal(decision?.principal.type, 'K8sUser');
      assert.ok(records.some((r) => r.kind === 'k8s_admission' && r.uid === uid && r.allowed === true));
    }
  });

  it('prints a webhook configuration that fails closed', async () => {
    const printed = await runCli(['kubernetes', 'webhook-config', 'cluster', '--config', gw.airlock.configFile, '--url', 'https://airlock.example.com:8443']);
    assert.equal(printed.code, 0, printed.stderr);
    assert.match(printed.stdout, /kubectl delete validatingwebhookconfiguration airlock-cluster/);
    const doc = parseYaml(printed.stdout) as { kind: string; webhooks: Record<string, any>[] };
    assert.equal(doc.kind, 'ValidatingWebhookConfiguration');
    const hook = doc.webhooks[0]!;
    assert.equal(hook.failurePolicy, 'Fail');
    assert.equal(hook.clientConfig.url, 'https://airlock.example.com:8443/admission/cluster');
    assert.match(Buffer.from(hook.clientConfig.caBundle, 'base64').toString(), /BEGIN CERTIFICATE/);
    assert.deepEqual(hook.rules.flatMap((r: { resources: string[] }) => r.resources).sort(), [
      'cronjobs', 'deployments', 'deployments/scale', 'jobs', 'pods', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale',
    ]);
    assert.equal(hook.admissionReviewVersions[0], 'v1');
    assert.equal(hook.timeoutSeconds, 2);
    const missing = await runCli(['kubernetes', 'webhook-config', 'nope', '--config', gw.airlock.configFile]);
    assert.equal(missing.code, 2);
  });
});
