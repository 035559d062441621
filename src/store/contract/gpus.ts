// Contract: GPU reservations respect a team's quota, even when replicas reserve at once; releases
// and reconciles change allocations as the cluster says, never undoing a newer admission.
import assert from 'node:assert/strict';
import { T, type StoreTest } from './harness.js';

const alloc = (key: string, gpus: number, team = 'ml') => ({ resource: 'c', key, team, gpus, perReplica: gpus });

export function gpusContract(test: StoreTest): void {
  test('reserves GPUs within a team quota, replacing the object allocation, and releases them', async (s) => {
    assert.deepEqual(await s.gpus.reserveGpus({ ...alloc('ml/jobs/a', 6), quota: 8 }, T), { admitted: true, inUse: 0 });
    assert.deepEqual(await s.gpus.reserveGpus({ ...alloc('ml/jobs/b', 4), quota: 8 }, T), { admitted: false, inUse: 6 });
    assert.deepEqual(await s.gpus.reserveGpus({ ...alloc('ml/jobs/a', 8), quota: 8 }, T + 1), { admitted: true, inUse: 0 }, 'its own allocation is replaced, not added');
    assert.deepEqual(await s.gpus.reserveGpus({ ...alloc('x/jobs/c', 100, 'other') }, T), { admitted: true, inUse: 0 }, 'no quota: always');
    assert.equal(await s.gpus.gpusInUse('c', 'ml'), 8);
    assert.equal(await s.gpus.gpusInUse('c', 'ml', 'ml/jobs/a'), 0);
    assert.deepEqual(await s.gpus.gpuAllocation('c', 'ml/jobs/a'), { ...alloc('ml/jobs/a', 8), updatedAt: T + 1 });
    await s.gpus.releaseGpus('c', 'ml/jobs/a');
    assert.equal(await s.gpus.gpuAllocation('c', 'ml/jobs/a'), undefined);
    assert.equal(await s.gpus.gpusInUse('c', 'ml'), 0);
    assert.equal(await s.gpus.gpusInUse('other-cluster', 'other'), 0, 'clusters are apart');
  });

  test('never exceeds a quota under concurrent reservations from two replicas', async (s, replica) => {
    const sizes = [3, 1, 4, 1, 5, 2, 6, 2, 3, 1, 2, 4, 1, 3, 2, 2];
    const results = await Promise.all(sizes.map((g, i) => (i % 2 ? replica : s).gpus.reserveGpus({ ...alloc(`ml/pods/p${i}`, g), quota: 10 }, T)));
    const admitted = sizes.filter((_, i) => results[i]!.admitted).reduce((a, b) => a + b, 0);
    assert.ok(admitted <= 10, `admitted ${admitted}`);
    assert.equal(await s.gpus.gpusInUse('c', 'ml'), admitted);
    assert.ok(admitted >= 8, 'and fills it up to what fits');
  });

  test('reconciles from a list: listed objects set, unlisted old ones dropped, newer admissions kept', async (s) => {
    await s.gpus.reserveGpus(alloc('ml/jobs/gone', 4), T);
    await s.gpus.reserveGpus(alloc('ml/jobs/just-admitted', 2), T + 9_000);
    await s.gpus.reserveGpus(alloc('ml/jobs/scaled', 8), T + 11_000);
    await s.gpus.reconcileGpus('c', [{ key: 'ml/jobs/listed', team: 'ml', gpus: 1, perReplica: 1 }, { key: 'ml/jobs/scaled', team: 'ml', gpus: 2, perReplica: 1 }], T + 10_000, 5_000);
    assert.equal(await s.gpus.gpuAllocation('c', 'ml/jobs/gone'), undefined);
    assert.equal((await s.gpus.gpuAllocation('c', 'ml/jobs/just-admitted'))?.gpus, 2, 'within the grace: the API server may not have stored it yet');
    assert.equal((await s.gpus.gpuAllocation('c', 'ml/jobs/scaled'))?.gpus, 8, 'admitted after the list was taken');
    assert.equal((await s.gpus.gpuAllocation('c', 'ml/jobs/listed'))?.gpus, 1);
  });
}
