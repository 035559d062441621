import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AirlockError } from '../../lib/errors.js';
import { applyPatch } from './patch.js';
import { quantity, registryOf, workloadFacts } from './workload-facts.js';

const GPU = ['nvidia.com/gpu'];
const container = (image: string, gpus?: number | string) => ({ name: image.split(/[/:]/).at(-2) ?? image, image, ...(gpus === undefined ? {} : { resources: { limits: { 'nvidia.com/gpu': gpus } } }) });
const deployment = (replicas: number | undefined, ...containers: object[]) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'trainer', labels: { team: 'ml' } },
  spec: { ...(replicas === undefined ? {} : { replicas }), template: { metadata: { labels: { team: 'ml-pods' } }, spec: { containers } } },
});

describe('workload facts', () => {
  it('sums GPU limits over containers and multiplies by replicas', () => {
    const f = workloadFacts(deployment(3, container('registry.internal/train:1', 2), container('busybox', '1')), GPU);
    assert.deepEqual({ ...f }, {
      replicas: 3,
      gpus: 9,
      images: ['busybox', 'registry.internal/train:1'],
      registries: ['docker.io', 'registry.internal'],
      labels: { team: 'ml' },
      templateLabels: { team: 'ml-pods' },
    });
    assert.equal(workloadFacts(deployment(undefined, container('a', 1)), GPU).replicas, 1, 'a pod template without replicas runs once');
  });

  it('reads pods, jobs (parallelism), cron jobs and custom resources with replica specs', () => {
    assert.deepEqual([workloadFacts({ kind: 'Pod', spec: { containers: [container('a', 4)] } }, GPU)].map((f) => [f.replicas, f.gpus]), [[1, 4]]);
    const job = { kind: 'Job', spec: { parallelism: 2, template: { spec: { containers: [container('a', 4)] } } } };
    assert.equal(workloadFacts(job, GPU).gpus, 8);
    const cron = { kind: 'CronJob', spec: { jobTemplate: { spec: { parallelism: 3, template: { spec: { containers: [container('a', 1)] } } } } } };
    assert.deepEqual([workloadFacts(cron, GPU)].map((f) => [f.replicas, f.gpus]), [[3, 3]]);
    const pytorch = {
      kind: 'PyTorchJob',
      spec: { pytorchReplicaSpecs: { Master: { replicas: 1, template: { spec: { containers: [container('m', 1)] } } }, Worker: { replicas: 4, template: { spec: { containers: [container('w', 2)] } } } } },
    };
    assert.equal(workloadFacts(pytorch, GPU).gpus, 9);
  });

  it('counts the larger of the containers and the largest init container, and requests without limits', () => {
    const pod = { kind: 'Pod', spec: { initContainers: [container('init', 6)], containers: [container('a', 1), { name: 'b', image: 'b', resources: { requests: { 'nvidia.com/gpu': 2 } } }] } };
    assert.equal(workloadFacts(pod, GPU).gpus, 6);
    assert.equal(workloadFacts(pod, ['amd.com/gpu']).gpus, 0, 'only the configured extended resources count');
  });

  it('reads a Scale object and objects without pods', () => {
    assert.equal(workloadFacts({ kind: 'Scale', spec: { replicas: 20 } }, GPU).replicas, 20);
    assert.deepEqual({ ...workloadFacts({ kind: 'ConfigMap', data: { a: 'b' } }, GPU) }, { replicas: 0, gpus: 0, images: [], registries: [], labels: {}, templateLabels: {} });
  });

  it('refuses what the API server would refuse instead of guessing low', () => {
    const bad = (o: unknown) => assert.throws(() => workloadFacts(o, GPU), (e: unknown) => e instanceof AirlockError && e.code === 'bad_request');
    bad(deployment('3' as unknown as number, container('a', 1)));
    bad(deployment(-1, container('a', 1)));
    bad(deployment(1, container('a', 'lots')));
    bad({ metadata: { labels: { team: 7 } } });
    let deep: unknown = { containers: [container('a', 1)] };
    for (let i = 0; i < 100; i++) deep = { x: deep };
    bad(deep);
  });

  it('reads quantities and registries as Kubernetes does', () => {
    assert.deepEqual(['2', '2000m', '500m', 3, '1k'].map((q) => quantity(q, 'q')), [2, 2, 1, 3, 1000]);
    assert.deepEqual(['nginx', 'library/nginx', 'ghcr.io/a/b:1', 'localhost/x', 'host:5000/x', 'Registry.Internal/x@sha256:ab'].map(registryOf), [
      'docker.io', 'docker.io', 'ghcr.io', 'localhost', 'host:5000', 'registry.internal',
    ]);
  });
});

describe('patches applied to the current object', () => {
  const current = deployment(2, container('registry.internal/train:1', 4));

  it('merge and strategic merge patches change replicas and containers by name', () => {
    assert.equal(workloadFacts(applyPatch(current, 'merge', { spec: { replicas: 20 } }), GPU).gpus, 80);
    const strategic = { spec: { template: { spec: { containers: [{ name: 'train', image: 'evil.example/miner:1' }] } } } };
    const f = workloadFacts(applyPatch(current, 'strategic', strategic), GPU);
    assert.deepEqual([f.gpus, f.images], [8, ['evil.example/miner:1']], 'the container keeps its GPUs, with the new image');
    const merged = workloadFacts(applyPatch(current, 'merge', strategic), GPU);
    assert.equal(merged.gpus, 0, 'a merge patch replaces the whole list');
    const deleted = applyPatch(current, 'strategic', { spec: { template: { spec: { containers: [{ name: 'train', $patch: 'delete' }] } } } });
    assert.equal(workloadFacts(deleted, GPU).images.length, 0);
    assert.equal(workloadFacts(applyPatch(current, 'merge', { metadata: { labels: { team: null } } }), GPU).labels.team, undefined);
  });

  it('JSON patches apply in order and refuse operations that cannot apply', () => {
    const ops = [
      { op: 'replace', path: '/spec/replicas', value: 5 },
      { op: 'add', path: '/spec/template/spec/containers/-', value: container('b', 1) },
      { op: 'test', path: '/spec/replicas', value: 5 },
    ];
    assert.equal(workloadFacts(applyPatch(current, 'json', ops), GPU).gpus, 25);
    assert.equal(workloadFacts(current, GPU).gpus, 8, 'the current object is not changed');
    for (const bad of [{ op: 'replace', path: '/spec/nope', value: 1 }, { op: 'remove', path: '/x' }, { op: 'jump', path: '/x' }, { op: 'add', path: '/__proto__/x', value: 1 }, { path: '/x' }]) {
      assert.throws(() => applyPatch(current, 'json', [bad]), (e: unknown) => e instanceof AirlockError && e.code === 'bad_request', JSON.stringify(bad));
    }
    assert.throws(() => applyPatch(current, 'json', { op: 'add' }), AirlockError);
  });

  it('server-side apply merges the applied configuration over the current object', () => {
    const applied = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'trainer' }, spec: { replicas: 4 } };
    assert.equal(workloadFacts(applyPatch(current, 'apply', applied), GPU).gpus, 16);
    assert.equal(workloadFacts(applyPatch({}, 'apply', deployment(1, container('a', 2))), GPU).gpus, 2, 'apply creates');
  });

  it('a __proto__ key never reaches an object prototype', () => {
    const patched = applyPatch({}, 'merge', JSON.parse('{"spec":{"__proto__":{"containers":[{"image":"x"}]}}}')) as { spec: object };
    assert.equal(Object.getPrototypeOf(patched.spec), Object.prototype);
  });
});
