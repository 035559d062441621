// End to end: attestations and lineage-aware gates through `airlock serve` and the CLI. A deploy
// waits for a passing attestation; the attestation verifies offline with the audit public key (and
// a tampered one does not); the access map shows the pipeline's steps, as text and as DOT.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli, startAirlock, type RunningAirlock } from '../support/airlock-process.js';

let airlock: RunningAirlock;
let ci: string;
let reviewer: string;

before(async () => {
  airlock = await startAirlock({
    policies: {
      'p.cedar': `
@id("ci-steps") permit (principal == Agent::"ci", action in [Action::"gate", Action::"model.register", Action::"model.deploy"], resource);
@id("ci-reads-map") permit (principal == Agent::"ci", action in [Action::"admin.graph.read", Action::"admin.attestations.read"], resource == Airlock::"control-plane");
@id("deploy-needs-eval") forbid (principal, action == Action::"model.deploy", resource)
  unless { context.attestations has "eval" && context.attestations["eval"] == "pass" };
@id("reviewers-attest") permit (principal in Group::"reviewers", action == Action::"attest", resource);
@id("testers-attest-tests") permit (principal in Group::"testers", action == Action::"attest", resource) when { context.predicate == "unit-tests" && context.result == "pass" };
`,
    },
    resources: [],
  });
  ci = (await runCli(['keys', 'create', '--agent', 'ci', '--config', airlock.configFile])).stdout.trim();
  reviewer = await airlock.token({ sub: 'rita', groups: ['reviewers'] });
});
after(() => airlock.stop());

const cli = (args: string[], token: string) => runCli([...args, '--server', airlock.adminUrl], { env: { AIRLOCK_TOKEN: token } });

describe('attestations and lineage-aware gates', () => {
  it('refuses a deploy until a passing attestation exists, then allows it', async () => {
    const step = ['gate', '--action', 'model.deploy', '--resource', 'Model::"fraud/v3"', '--run', 'run-42'];
    assert.equal((await cli(step, ci)).code, 1);
    assert.equal((await cli(['gate', '--action', 'model.register', '--resource', 'Model::"fraud/v3"', '--run', 'run-42'], ci)).code, 0);
    const fail = await cli(['attest', '--subject', 'Model::"fraud/v3"', '--predicate', 'eval', '--result', 'fail'], reviewer);
    assert.equal(fail.code, 0, fail.stderr);
    assert.equal((await cli(step, ci)).code, 1, 'a failing attestation does not do');
    const evidence = path.join(airlock.dir, 'eval-report.json');
    await writeFile(evidence, '{"auc":0.97}');
    const pass = await cli(['attest', '--subject', 'Model::"fraud/v3"', '--predicate', 'eval', '--result', 'pass', '--evidence', evidence], reviewer);
    assert.equal(pass.code, 0, pass.stderr);
    assert.equal((await cli(step, ci)).code, 0);
    assert.equal((await cli(['attest', '--subject', 'Model::"fraud/v3"', '--predicate', 'eval', '--result', 'pass'], ci)).code, 1, 'the bundle decides who may attest');

    const envelopeFile = path.join(airlock.dir, 'att.json');
    await writeFile(envelopeFile, pass.stdout);
    const keyFile = path.join(airlock.dir, 'audit.pub');
    await writeFile(keyFile, (await runCli(['audit', 'public-key', '--config', airlock.configFile])).stdout);
    const ok = await runCli(['attest', 'verify', envelopeFile, '--public-key', keyFile]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /verified: eval pass for Model::"fraud\/v3" by User::"rita"/);
    const tampered = JSON.parse(await readFile(envelopeFile, 'utf8')) as { payload: string };
    tampered.payload = Buffer.from(Buffer.from(tampered.payload, 'base64').toString().replace('"pass"', '"PASS"')).toString('base64');
    await writeFile(envelopeFile, JSON.stringify(tampered));
    assert.equal((await runCli(['attest', 'verify', envelopeFile, '--public-key', keyFile])).code, 1);
    const listed = JSON.parse((await cli(['attest', 'list', '--subject', 'Model::"fraud/v3"'], ci)).stdout) as unknown[];
    assert.equal(listed.length, 2);
  });

  it('lets a bundle say which checks a principal may attest, so passing unit tests cannot also attest a review', async () => {
    const tester = await airlock.token({ sub: 'tom', groups: ['testers'] });
    const attest = (predicate: string) => cli(['attest', '--subject', 'Model::"fraud/v4"', '--predicate', predicate, '--result', 'pass'], tester);
    assert.equal((await attest('unit-tests')).code, 0);
    assert.equal((await attest('eval')).code, 1);
  });

  it('shows the pipeline in the access map, as text and as DOT', async () => {
    const text = await cli(['graph'], ci);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Run::"run-42" -\[model\.register x1\]-> Model::"fraud\/v3"/);
    const dot = await cli(['graph', '--format', 'dot', '--model', 'Model::"fraud/v3"'], ci);
    assert.match(dot.stdout, /^digraph airlock \{/);
    assert.match(dot.stdout, /"Run::\\"run-42\\"" -> "Model::\\"fraud\/v3\\""/);
  });
});
