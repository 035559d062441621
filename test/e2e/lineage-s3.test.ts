// End to end: lineage from datasets to a deployed model (CONTRACT section 14). A run reads two
// datasets through the S3 resource, a public one and a pii one; the model it registers inherits
// their sensitivities, so its deploy is refused until a privacy review attests it; the lineage API
// names the run and both datasets; and a rebuild of the map from the log gives the same map.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { startS3Gateway, type S3Gateway } from '../support/s3-gateway.js';
import { runCli } from '../support/airlock-process.js';

let gw: S3Gateway;
let trainer: S3Client;
let ci: string;
let reviewer: string;

const LINEAGE_POLICIES = {
  'lineage.cedar': `
@id("pipeline-reads-all") permit (principal in Group::"pipeline", action in [Action::"dataset.read", Action::"dataset.list"], resource in Resource::"data");
@id("pipeline-steps") permit (principal in Group::"pipeline", action in [Action::"gate", Action::"model.register", Action::"model.deploy"], resource);
@id("pipeline-map") permit (principal in Group::"pipeline", action in [Action::"admin.graph.read", Action::"admin.graph.rebuild"], resource == Airlock::"control-plane");
@id("reviewers-attest") permit (principal in Group::"reviewers", action == Action::"attest", resource);
@id("pii-models-need-a-privacy-review")
forbid (principal, action == Action::"model.deploy", resource)
when { context.lineage.sensitivities.contains("pii") }
unless { context.attestations has "privacy-review" && context.attestations["privacy-review"] == "pass" };
`,
};

before(async () => {
  gw = await startS3Gateway({ policies: LINEAGE_POLICIES });
  trainer = gw.client(await gw.createKey('trainer', 'pipeline'));
  // The run names itself on every request it makes.
  trainer.middlewareStack.add((next) => async (args) => {
    (args.request as { headers: Record<string, string> }).headers['airlock-run-id'] = 'run-7';
    return next(args);
  }, { step: 'build', name: 'airlockRunId' });
  for (const key of ['public/a.csv', 'pii/people.csv']) await gw.store.direct.send(new PutObjectCommand({ Bucket: 'train', Key: key, Body: `rows of ${key}` }));
  ci = (await runCli(['keys', 'create', '--agent', 'ci', '--groups', 'pipeline', '--config', gw.airlock.configFile])).stdout.trim();
  reviewer = await gw.airlock.token({ sub: 'priya', groups: ['reviewers'] });
});
after(() => gw.close());

const cli = (args: string[], token: string) => runCli([...args, '--server', gw.airlock.adminUrl], { env: { AIRLOCK_TOKEN: token } });
const api = async (path: string, method = 'GET') => (await fetch(`${gw.airlock.adminUrl}${path}`, { method, headers: { authorization: `Bearer ${ci}` } })).json() as Promise<Record<string, unknown>>;

describe('lineage from datasets to a deployed model', () => {
  it('refuses to deploy a model trained on pii data until a privacy review passes', async () => {
    for (const key of ['public/a.csv', 'pii/people.csv']) {
      const got = await trainer.send(new GetObjectCommand({ Bucket: 'train', Key: key }));
      assert.equal(await got.Body!.transformToString(), `rows of ${key}`);
    }
    const register = await cli(['gate', '--action', 'model.register', '--resource', 'Model::"fraud/v3"', '--run', 'run-7'], ci);
    assert.equal(register.code, 0, register.stderr);
    const deploy = ['gate', '--action', 'model.deploy', '--resource', 'Model::"fraud/v3"'];
    const refused = await cli(deploy, ci);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /pii-models-need-a-privacy-review|denied/);
    assert.equal((await cli(['attest', '--subject', 'Model::"fraud/v3"', '--predicate', 'privacy-review', '--result', 'pass'], reviewer)).code, 0);
    const allowed = await cli(deploy, ci);
    assert.equal(allowed.code, 0, allowed.stderr);
  });

  it('names the run and both datasets in the lineage, and rebuilds the same map from the log', async () => {
    const lineage = (await api('/api/v1/graph/lineage?model=' + encodeURIComponent('Model::"fraud/v3"'))) as { nodes: { id: string }[]; sensitivities: string[] };
    const ids = lineage.nodes.map((n) => n.id);
    for (const id of ['Run::"run-7"', 'Dataset::"data/train/public/a.csv"', 'Dataset::"data/train/pii/people.csv"']) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
    assert.deepEqual(lineage.sensitivities, ['pii', 'public']);
    // The map's own reads (admin.graph.*) are accesses too, and grow with every call: leave them out.
    const accesses = async () => ((await api('/api/v1/graph')) as { edges: { action: string }[] }).edges.filter((e) => !e.action.startsWith('admin.'));
    const before = await accesses();
    assert.ok(before.some((e) => e.action === 'dataset.read'));
    await api('/api/v1/graph/rebuild', 'POST');
    assert.deepEqual(await accesses(), before);
  });
});
