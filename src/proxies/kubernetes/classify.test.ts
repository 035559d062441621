import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bundleFromFiles, commonContext, createEngine } from '../../decide/index.js';
import { UNKNOWN_MFA_AGE, type Principal } from '../../model/principal.js';
import { parseApiRequest } from './api-path.js';
import { k8sActionRequest } from './classify.js';
import { statusObject } from './status.js';
import { NO_WORKLOAD, workloadFacts } from './workload-facts.js';

const bot: Principal = { type: 'Agent', id: 'trainer-bot', groups: ['ml-eng'], mfa: false, mfaAge: UNKNOWN_MFA_AGE, authMethod: 'api_key' };
const classify = (method: string, path: string, object?: object) =>
  k8sActionRequest('prod', parseApiRequest(method, path, ''), object ? workloadFacts(object, ['nvidia.com/gpu']) : NO_WORKLOAD);

describe('Kubernetes requests as Cedar sees them', () => {
  it('names the object under its namespace, then the resource', () => {
    const r = classify('DELETE', '/apis/apps/v1/namespaces/ml/deployments/trainer');
    assert.equal(r.action, 'k8s.delete');
    assert.deepEqual(r.resource, { type: 'K8sObject', id: 'prod/ml/deployments/trainer' });
    assert.deepEqual(r.ancestors, [{ type: 'Namespace', id: 'prod/ml', attrs: {} }]);
    assert.equal(classify('GET', '/api/v1/nodes').resource.id, 'prod/_cluster/nodes/*');
    assert.equal(classify('GET', '/apis').resource.id, 'prod/_cluster/_discovery/*');
    assert.equal(classify('GET', '/metrics').resource.id, 'prod/_cluster/_nonresource/*');
  });

  it('always has every context key, so a policy never fails to read one', () => {
    for (const r of [classify('GET', '/api/v1/pods'), classify('GET', '/version')]) {
      assert.deepEqual(Object.keys(r.context).sort(), ['dry_run', 'gpus', 'group', 'images', 'labels', 'namespace', 'registries', 'replicas', 'resource', 'subresource']);
    }
  });

  it('lets a policy speak of namespaces, GPUs and registries', () => {
    const engine = createEngine(bundleFromFiles({ 'k.cedar': `
permit (principal in Group::"ml-eng", action == Action::"k8s.create", resource in Namespace::"prod/ml")
  when { context.gpus <= 8 && ["registry.internal"].containsAll(context.registries) };` }, 'test'));
    const decide = (path: string, image: string, gpus: number) => {
      const request = classify('POST', path, { kind: 'Job', spec: { parallelism: 2, template: { spec: { containers: [{ name: 'c', image, resources: { limits: { 'nvidia.com/gpu': gpus } } }] } } } });
      const context = commonContext({ principal: bot, sourceIp: '10.0.0.1', method: 'POST', path, now: new Date() }, request.context);
      return engine.decide({ principal: bot, request, context, resourceAttributes: {} }).effect;
    };
    assert.equal(decide('/apis/batch/v1/namespaces/ml/jobs', 'registry.internal/t:1', 4), 'allow');
    assert.equal(decide('/apis/batch/v1/namespaces/ml/jobs', 'registry.internal/t:1', 5), 'deny', '2 x 5 GPUs');
    assert.equal(decide('/apis/batch/v1/namespaces/ml/jobs', 'ghcr.io/t:1', 1), 'deny');
    assert.equal(decide('/apis/batch/v1/namespaces/prod/jobs', 'registry.internal/t:1', 1), 'deny');
  });

  it('renders refusals as Status objects kubectl prints with the code and approval id', () => {
    const s = statusObject({ code: 'approval_required', detail: 'this action needs an approval', approvalId: 'a-1' }, 'r-1');
    assert.deepEqual([s.kind, s.apiVersion, s.status, s.reason, s.code], ['Status', 'v1', 'Failure', 'Forbidden', 403]);
    assert.equal(s.message, 'airlock approval_required: this action needs an approval (approval_id a-1: once it is approved, run the same command again) [request_id r-1]');
    assert.deepEqual([s.details.code, s.details.request_id, s.details.approval_id], ['approval_required', 'r-1', 'a-1']);
    assert.deepEqual([statusObject({ code: 'unauthenticated', detail: 'x' }, 'r').reason, statusObject({ code: 'upstream_timeout', detail: 'x' }, 'r').code], ['Unauthorized', 504]);
  });
});
