// The AI agents walk-through (examples/agents/README.md), run as a test: its config loads, its
// policy tests pass, and its agent's scale_deployment to 20 replicas waits for an SRE's approval
// (announced on the webhook channel) and runs once when approved, while read_logs runs at once.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runAgentDemo } from '../../examples/agents/agent.js';
import { startReceiver } from '../../src/approvals/channels/test-support.js';
import { loadConfig } from '../../src/config/load.js';
import { REPO, runCli, startAirlock } from '../support/airlock-process.js';
import { auditRecords, approve } from '../support/mcp-gateway.js';

const EXAMPLE = path.join(REPO, 'examples/agents');

function examplePolicies(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const rel of readdirSync(path.join(EXAMPLE, 'policies'), { recursive: true }) as string[]) {
    if (/\.(cedar|ya?ml)$/.test(rel)) files[rel] = readFileSync(path.join(EXAMPLE, 'policies', rel), 'utf8');
  }
  return files;
}

describe('the AI agents example', () => {
  it('has a config that loads and policy tests that pass', async () => {
    const { config } = await loadConfig(path.join(EXAMPLE, 'airlock.yaml'));
    assert.equal(config.resources[0]?.type, 'mcp');
    const tested = await runCli(['policy', 'test', path.join(EXAMPLE, 'policies')]);
    assert.equal(tested.code, 0, tested.stdout + tested.stderr);
    assert.match(tested.stdout, /8 passed, 0 failed/);
  });

  it('holds scale_deployment to 20 replicas for an SRE and runs it once approved; read_logs runs at once', async () => {
    const example = (await loadConfig(path.join(EXAMPLE, 'airlock.yaml'))).config.resources[0]!;
    const inbox = await startReceiver();
    const airlock = await startAirlock({
      policies: examplePolicies(),
      resources: [{ ...example, cwd: EXAMPLE }],
      config: { approvals: { hold_seconds: 0, ttl_seconds: 600, notify: [{ type: 'webhook', url: inbox.url, secret: 'demo-webhook-secret' }] } },
    });
    try {
      const key = await runCli(['keys', 'create', '--agent', 'claude', '--groups', 'agents', '--config', airlock.configFile], { cwd: airlock.dir });
      assert.equal(key.code, 0, key.stderr);
      const log: string[] = [];
      const agent = runAgentDemo({ url: `${airlock.dataUrl}/infra`, token: key.stdout.trim(), log: (l) => log.push(l), pollMs: 200 });

      const [created] = await inbox.waitFor(1, 60_000);
      const note = JSON.parse(created!.body) as { event: string; approval: { id: string; action: string; resource: string; context: { arguments: { replicas: number } } } };
      assert.equal(note.event, 'approval.created');
      assert.deepEqual([note.approval.action, note.approval.resource, note.approval.context.arguments.replicas], ['tool.call', 'Tool::"infra/scale_deployment"', 20]);
      assert.ok(log.some((l) => /checkout ok request 0/.test(l)), 'read_logs ran at once');

      await approve(airlock, await airlock.token({ sub: 'sam', groups: ['sre'] }), note.approval.id);
      assert.match(await agent, /checkout scaled to 20 replicas/);

      const records = await auditRecords(airlock, await airlock.token({ sub: 'sam', groups: ['sre'] }));
      const scaled = records.filter((r) => r['kind'] === 'decision' && r['tool'] === 'scale_deployment' && r['decision'] === 'allow');
      assert.equal(scaled.length, 1, 'the approved call ran once');
      assert.equal(scaled[0]!['approval_id'], note.approval.id);
    } finally {
      await airlock.stop();
      await inbox.close();
    }
  });
});
