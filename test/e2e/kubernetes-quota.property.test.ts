// Property: a team's GPU quota is never exceeded, whatever the admissions and however they
// interleave: random batches of workloads (sizes, kinds, creates and deletes) are sent at once to
// two gateway processes sharing one PostgreSQL (admissions split between them), and to one process
// on SQLite. After each batch, the GPUs admitted and not deleted stay within the quota, and the
// store holds exactly what was admitted. Reviews are shaped as kube-apiserver sends them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzzRuns } from '../../src/lib/fuzz-runs.js';
import { tempDir } from '../../src/lib/test-temp-dir.js';
import { createScratchDatabase, type ScratchDatabase } from '../../src/store/postgres/scratch-database.js';
import { admissionReview, gpuWorkload, postReview } from '../support/admission-review.js';
import { startKubeGateway, type KubeGateway } from '../support/kube-gateway.js';

const PG = process.env.AIRLOCK_TEST_PG_URL;
const QUOTA = 12;

const workload = fc.record({
  kind: fc.constantFrom('jobs' as const, 'deployments' as const, 'pods' as const),
  gpus: fc.integer({ min: 0, max: 6 }),
  replicas: fc.integer({ min: 1, max: 3 }),
  thenDelete: fc.boolean(),
});

type Workload = { kind: 'jobs' | 'deployments' | 'pods'; gpus: number; replicas: number; thenDelete: boolean };

/** Sends the batch at once over `urls` (round-robin); returns the GPUs admitted and still held. */
async function admitBatch(urls: readonly string[], team: string, batch: readonly Workload[]): Promise<number> {
  const objects = batch.map((w, i) => gpuWorkload(w.kind, `${team}-${i}`, w.gpus, { team, replicas: w.kind === 'pods' ? 1 : w.replicas }));
  const answers = await Promise.all(objects.map((o, i) => postReview(urls[i % urls.length]!, 'cluster', admissionReview(batch[i]!.kind, o))));
  const admitted = answers.map((a) => (a.body.response as { allowed: boolean }).allowed);
  let held = 0;
  await Promise.all(
    batch.map(async (w, i) => {
      const total = w.gpus * (w.kind === 'pods' ? 1 : w.replicas);
      if (!admitted[i]) return;
      if (w.thenDelete) {
        const deleted = await postReview(urls[(i + 1) % urls.length]!, 'cluster', admissionReview(w.kind, objects[i]!, { operation: 'DELETE' }));
        assert.equal((deleted.body.response as { allowed: boolean }).allowed, true);
      } else held += total;
    }),
  );
  return held;
}

function quotaProperty(gateways: () => readonly KubeGateway[]) {
  return async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(workload, { minLength: 4, maxLength: 16 }), async (batch) => {
        const team = `t${round++}`;
        const held = await admitBatch(gateways().map((g) => g.airlock.admissionUrl!), team, batch);
        assert.ok(held <= QUOTA, `team ${team} holds ${held} GPUs over its quota of ${QUOTA}`);
        // One more GPU than is left must be refused: the store counts what was admitted, no less.
        const probe = await postReview(gateways()[0]!.airlock.admissionUrl!, 'cluster', admissionReview('pods', gpuWorkload('pods', `${team}-probe`, QUOTA - held + 1, { team })));
        assert.equal((probe.body.response as { allowed: boolean }).allowed, false);
      }),
      { numRuns: fuzzRuns(12) },
    );
  };
}

const quotas = Array.from({ length: 40 }, (_, i) => ({ team: `t${i}`, gpus: QUOTA }));
const resource = { quotas, reconcile_seconds: 0, budget_ms: 5000 };

describe('GPU quotas under concurrent admissions', () => {
  describe('two gateway processes on one PostgreSQL', { skip: PG ? false : 'AIRLOCK_TEST_PG_URL not set' }, () => {
    let db: ScratchDatabase;
    const gws: KubeGateway[] = [];
    before(async () => {
      db = await createScratchDatabase(PG!);
      const dir = tempDir('quota-replicas');
      const first = await startKubeGateway({ admission: true, dir, resource, config: { store: db.url } });
      gws.push(first, await startKubeGateway({ admission: true, dir, api: first.api, resource, config: { store: db.url } }));
    });
    after(async () => {
      for (const g of gws) await g.stop();
      await db?.drop();
    });
    it('never admits more GPUs than a team quota', quotaProperty(() => gws));
  });

  describe('one gateway process on SQLite', () => {
    let gw: KubeGateway;
    before(async () => {
      gw = await startKubeGateway({ admission: true, resource });
    });
    after(() => gw.stop());
    it('never admits more GPUs than a team quota', quotaProperty(() => [gw]));
  });
});
