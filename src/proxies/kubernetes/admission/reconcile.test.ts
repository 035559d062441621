// The reconcile recounts GPU allocations from the stand-in API server's lists (no real API server
// can be installed on these machines): finished Jobs and pods hold nothing, controller-made pods
// are not counted twice, objects gone from the cluster are dropped, a failing list changes nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startStandInApiServer, type StandInApiServer } from '../../../../test/support/kube-apiserver.js';
import { tempDir } from '../../../lib/test-temp-dir.js';
import { openSqliteStore } from '../../../store/sqlite/index.js';
import type { Store } from '../../../store/ports.js';
import { KubernetesApi } from '../api-client.js';
import { kubernetesResourceSchema } from '../config.js';
import { reconcileOnce, RECONCILE_GRACE_MS } from './reconcile.js';
import { LiveInject } from '../../http/live-inject.js';

const gpuPod = (gpus: number) => ({ containers: [{ name: 'c', image: 'registry.internal/x', resources: { limits: { 'nvidia.com/gpu': gpus } } }] });

describe('GPU allocation reconcile', () => {
  let api: StandInApiServer;
  let store: Store;
  let client: KubernetesApi;
  const apiClient = (authorization: string) => {
    const target = { upstream: api.url, inject: { headers: { authorization } }, timeouts: { connect_ms: 1000, response_ms: 2000 } };
    return new KubernetesApi(target, new LiveInject(target));
  };
  const config = kubernetesResourceSchema.parse({ name: 'c', type: 'kubernetes', upstream: 'http://127.0.0.1:1' });
  before(async () => {
    api = await startStandInApiServer({ token: 't' });
    store = openSqliteStore(path.join(tempDir('reconcile'), 'a.db'));
    client = apiClient('Bearer t');
  });
  after(async () => {
    await client.close();
    await store.close();
    await api.close();
  });

  it('counts what runs, once, and drops what is gone', async () => {
    const T = Date.now();
    api.put('apps', 'deployments', { metadata: { name: 'serve', namespace: 'ml', labels: { team: 'ml' } }, spec: { replicas: 2, template: { spec: gpuPod(2) } } });
    api.put('', 'pods', { metadata: { name: 'serve-1', namespace: 'ml', labels: { team: 'ml' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'serve-x', controller: true }] }, spec: gpuPod(2) });
    api.put('batch', 'jobs', { metadata: { name: 'done', namespace: 'ml', labels: { team: 'ml' } }, spec: { template: { spec: gpuPod(8) } }, status: { conditions: [{ type: 'Complete', status: 'True' }] } });
    api.put('', 'pods', { metadata: { name: 'bare', namespace: 'ml', labels: { team: 'research' } }, spec: gpuPod(1) });
    await store.gpus.reserveGpus({ resource: 'c', key: 'ml/jobs/deleted-long-ago', team: 'ml', gpus: 6, perReplica: 6 }, T - 2 * RECONCILE_GRACE_MS);

    assert.equal(await reconcileOnce(config, client, store.gpus, () => T), 3);
    assert.equal(await store.gpus.gpusInUse('c', 'ml'), 4, 'the deployment counts its replicas; its pod and the finished job count nothing');
    assert.equal(await store.gpus.gpusInUse('c', 'research'), 1);
    assert.equal(await store.gpus.gpuAllocation('c', 'ml/jobs/deleted-long-ago'), undefined);
    assert.deepEqual(await store.gpus.gpuAllocation('c', 'ml/deployments/serve'), { resource: 'c', key: 'ml/deployments/serve', team: 'ml', gpus: 4, perReplica: 2, updatedAt: T });
  });

  it('changes nothing when a list cannot be read', async () => {
    await store.gpus.reserveGpus({ resource: 'c', key: 'ml/pods/kept', team: 'ml', gpus: 3, perReplica: 3 }, 0);
    const broken = apiClient('Bearer wrong');
    await assert.rejects(reconcileOnce(config, broken, store.gpus, Date.now));
    await broken.close();
    assert.equal((await store.gpus.gpuAllocation('c', 'ml/pods/kept'))?.gpus, 3);
  });
});
