// Resources with entities between them and their container (a dataset's prefix and bucket, a
// control-plane object under `Airlock::"control-plane"`): policies see the chain and its attributes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bundleFromFiles, commonContext, createEngine } from './index.js';
import type { ActionRequest } from '../model/action-request.js';
import { UNKNOWN_MFA_AGE, type Principal } from '../model/principal.js';

const alice: Principal = { type: 'User', id: 'alice', groups: ['ml-eng'], mfa: false, mfaAge: UNKNOWN_MFA_AGE, authMethod: 'oidc' };

function decide(policies: string, request: ActionRequest, resourceAttributes = {}) {
  const engine = createEngine(bundleFromFiles({ 'p.cedar': policies }, 'test'));
  const context = commonContext({ principal: alice, sourceIp: '127.0.0.1', method: 'GET', path: '/', now: new Date() });
  return engine.decide({ principal: alice, request, context, resourceAttributes }).effect;
}

const object = (key: string, sensitivity: string): ActionRequest => ({
  action: 'dataset.read',
  resource: { type: 'Dataset', id: `s3/train/${key}` },
  resourceName: 's3',
  ancestors: [
    { type: 'DatasetPrefix', id: 's3/train/pii/', attrs: { sensitivity } },
    { type: 'Bucket', id: 's3/train', attrs: {} },
  ],
  context: {},
});

describe('resource ancestors', () => {
  it('put the resource under each ancestor, then the container, with their attributes', () => {
    const p = `
permit (principal, action == Action::"dataset.read", resource in Bucket::"s3/train");
forbid (principal, action, resource in DatasetPrefix::"s3/train/pii/") when { resource.sensitivity == "pii" };
forbid (principal, action, resource in Resource::"s3") when { resource has environment && resource.environment == "quarantine" };`;
    assert.equal(decide(p, object('pii/a.csv', 'public')), 'allow');
    assert.equal(decide(p, object('pii/a.csv', 'pii')), 'deny', 'the prefix attributes reach the resource (inherited), cached apart');
    assert.equal(decide(p, object('pii/a.csv', 'public'), { environment: 'quarantine' }), 'deny', 'the container is still an ancestor');
  });

  it('give a control-plane object its attributes and parent', () => {
    const p = `permit (principal, action == Action::"admin.approvals.read", resource in Airlock::"control-plane") when { resource.requester == principal };`;
    const approval = (requester: string): ActionRequest => ({
      action: 'admin.approvals.read',
      resource: { type: 'Approval', id: 'a1' },
      resourceName: '',
      ancestors: [{ type: 'Airlock', id: 'control-plane', attrs: {} }],
      attributes: { requester: { __entity: { type: 'User', id: requester } } },
      context: {},
    });
    assert.equal(decide(p, approval('alice')), 'allow');
    assert.equal(decide(p, approval('bob')), 'deny');
  });
});
