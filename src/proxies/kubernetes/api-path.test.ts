import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseApiRequest } from './api-path.js';

const read = (method: string, url: string) => {
  const q = url.indexOf('?');
  return parseApiRequest(method, q < 0 ? url : url.slice(0, q), q < 0 ? '' : url.slice(q));
};
const short = (method: string, url: string) => {
  const r = read(method, url);
  return [r.verb, r.group, r.namespace, r.resource, r.name, r.subresource].join(' ');
};

describe('Kubernetes API paths', () => {
  it('reads core and group paths, namespaced and cluster-scoped, as the API server does', () => {
    assert.equal(short('GET', '/api/v1/namespaces/ml/pods/p1'), 'get  ml pods p1 ');
    assert.equal(short('GET', '/api/v1/namespaces/ml/pods'), 'list  ml pods  ');
    assert.equal(short('GET', '/api/v1/pods'), 'list   pods  ', 'every namespace');
    assert.equal(short('GET', '/api/v1/nodes/n1'), 'get   nodes n1 ');
    assert.equal(short('POST', '/apis/apps/v1/namespaces/ml/deployments'), 'create apps ml deployments  ');
    assert.equal(short('PUT', '/apis/apps/v1/namespaces/ml/deployments/trainer'), 'update apps ml deployments trainer ');
    assert.equal(short('PATCH', '/apis/batch/v1/namespaces/ml/jobs/j'), 'patch batch ml jobs j ');
    assert.equal(short('DELETE', '/apis/batch/v1/namespaces/ml/jobs/j'), 'delete batch ml jobs j ');
    assert.equal(short('DELETE', '/apis/batch/v1/namespaces/ml/jobs'), 'deletecollection batch ml jobs  ');
    assert.equal(short('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/admin'), 'get rbac.authorization.k8s.io  clusterroles admin ');
  });

  it('reads a namespace object and its subresources like the API server (namespace = its name)', () => {
    assert.equal(short('GET', '/api/v1/namespaces'), 'list   namespaces  ');
    assert.equal(short('DELETE', '/api/v1/namespaces/ml'), 'delete  ml namespaces ml ');
    assert.equal(short('PUT', '/api/v1/namespaces/ml/finalize'), 'update  ml namespaces ml finalize');
  });

  it('makes scale, exec, attach, portforward and proxy verbs of their own', () => {
    assert.equal(short('PATCH', '/apis/apps/v1/namespaces/ml/deployments/trainer/scale'), 'scale apps ml deployments trainer scale');
    assert.equal(short('PUT', '/apis/apps/v1/namespaces/ml/deployments/trainer/scale'), 'scale apps ml deployments trainer scale');
    assert.equal(short('GET', '/apis/apps/v1/namespaces/ml/deployments/trainer/scale'), 'get apps ml deployments trainer scale');
    assert.equal(short('POST', '/api/v1/namespaces/ml/pods/p1/exec?command=ls'), 'exec  ml pods p1 exec');
    assert.equal(short('GET', '/api/v1/namespaces/ml/pods/p1/exec?command=ls'), 'exec  ml pods p1 exec');
    assert.equal(short('POST', '/api/v1/namespaces/ml/pods/p1/attach'), 'attach  ml pods p1 attach');
    assert.equal(short('GET', '/api/v1/namespaces/ml/pods/p1/portforward?ports=8080'), 'portforward  ml pods p1 portforward');
    assert.equal(short('GET', '/api/v1/namespaces/ml/services/web/proxy/metrics'), 'proxy  ml services web proxy');
    assert.equal(short('GET', '/api/v1/proxy/namespaces/ml/pods/p1'), 'proxy  ml pods p1 ');
    assert.equal(short('GET', '/api/v1/namespaces/ml/pods/p1/log?follow=true'), 'get  ml pods p1 log');
    assert.equal(short('POST', '/api/v1/namespaces/ml/pods/p1/eviction'), 'create  ml pods p1 eviction');
    assert.equal(short('PUT', '/apis/apps/v1/namespaces/ml/deployments/trainer/status'), 'update apps ml deployments trainer status');
  });

  it('tells watches by the query, the legacy prefix and a single-object field selector', () => {
    assert.equal(short('GET', '/api/v1/namespaces/ml/pods?watch=true'), 'watch  ml pods  ');
    assert.equal(short('GET', '/api/v1/namespaces/ml/pods?watch=1&resourceVersion=5'), 'watch  ml pods  ');
    assert.equal(short('GET', '/api/v1/namespaces/ml/pods?watch=false'), 'list  ml pods  ');
    assert.equal(short('GET', '/api/v1/watch/namespaces/ml/pods'), 'watch  ml pods  ');
    assert.equal(short('GET', '/api/v1/watch/namespaces/ml/pods/p1'), 'watch  ml pods p1 ');
    assert.equal(short('GET', '/api/v1/namespaces/ml/pods?fieldSelector=metadata.name%3Dp1&watch=true'), 'watch  ml pods p1 ');
    assert.equal(short('GET', '/api/v1/namespaces/ml/pods?fieldSelector=metadata.name!%3Dp1'), 'list  ml pods  ');
  });

  it('classifies discovery as read-only metadata and every other path as proxy on a non-resource', () => {
    for (const p of ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/version', '/openapi/v2', '/openapi/v3/apis/apps/v1']) {
      assert.equal(read('GET', p).verb, 'discovery', p);
    }
    assert.equal(read('POST', '/apis/apps/v1').verb, 'proxy', 'discovery is only read');
    for (const p of ['/', '/healthz', '/metrics', '/logs/x', '/api/v1/namespaces/ml/', '/apix/v1/pods', '/openapi/v2/namespaces/prod', '/version/x']) {
      const r = read('GET', p);
      assert.equal(`${r.verb} ${r.kind}`, p === '/api/v1/namespaces/ml/' ? 'get resource' : 'proxy nonresource', p);
    }
    assert.equal(read('OPTIONS', '/api/v1/pods').kind, 'nonresource', 'an unknown method is not guessed');
  });

  it('notes dry runs', () => {
    assert.equal(read('POST', '/api/v1/namespaces/ml/pods?dryRun=All').dryRun, true);
    assert.equal(read('POST', '/api/v1/namespaces/ml/pods').dryRun, false);
  });
});
