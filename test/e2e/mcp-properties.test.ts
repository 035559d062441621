// Properties of the MCP gateway, checked end to end with the real SDK against a real server:
// no call reaches the server undecided (every call it runs was decided allow, and nothing else
// runs), and an approval runs its call once, only with exactly the approved arguments.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { startInfraHttp, type InfraHttpServer } from '../../examples/agents/infra-server.js';
import { canonicalJson } from '../../src/lib/canonical-json.js';
import type { RunningAirlock } from '../support/airlock-process.js';
import { approve, auditRecords, connectAgent, startMcpGateway } from '../support/mcp-gateway.js';

const ran: { tool: string; args: Record<string, unknown> }[] = [];
let server: InfraHttpServer;
let airlock: RunningAirlock;
let agent: Client;
let sre: string;

before(async () => {
  server = await startInfraHttp(0, { onCall: (tool, args) => ran.push({ tool, args }), jsonResponse: true });
  airlock = await startMcpGateway({ upstream: server.url });
  agent = await connectAgent(airlock, await airlock.token({ sub: 'claude', groups: ['agents'] }));
  sre = await airlock.token({ sub: 'sam', groups: ['sre'] });
});
after(async () => {
  await agent.close();
  await airlock.stop();
  await server.close();
});

const call = fc.oneof(
  fc.record({ name: fc.constant('read_logs'), arguments: fc.record({ service: fc.constantFrom('api', 'db') }) }),
  fc.record({ name: fc.constant('scale_deployment'), arguments: fc.record({ namespace: fc.constant('prod'), deployment: fc.constant('api'), replicas: fc.integer({ min: 0, max: 30 }) }) }),
  fc.record({ name: fc.constant('export_dataset'), arguments: fc.record({ dataset: fc.constant('users'), destination: fc.constant('s3://x') }) }),
  fc.record({ name: fc.constant('no_such_tool'), arguments: fc.constant({}) }),
);

async function attempt(c: { name: string; arguments: Record<string, unknown> }, meta?: Record<string, unknown>): Promise<'ran' | string> {
  try {
    await agent.callTool({ ...c, ...(meta ? { _meta: meta } : {}) });
    return 'ran';
  } catch (e) {
    assert.ok(e instanceof McpError, String(e));
    return (e.data as { code: string }).code;
  }
}

describe('MCP gateway properties', () => {
  it('runs exactly the calls that were decided allow, and no other', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 6 }), async (calls) => {
        const before = ran.length;
        const seqBefore = (await auditRecords(airlock, sre)).length;
        const outcomes: string[] = [];
        for (const c of calls) outcomes.push(await attempt(c));
        const executed = ran.slice(before).map((r) => r.tool);
        assert.deepEqual(executed, calls.filter((_, i) => outcomes[i] === 'ran').map((c) => c.name));
        const allowed = (await auditRecords(airlock, sre))
          .slice(seqBefore)
          .filter((r) => r['kind'] === 'decision' && r['mcp_method'] === 'tools/call' && r['decision'] === 'allow')
          .map((r) => r['tool']);
        assert.deepEqual(allowed, executed);
        for (const [i, c] of calls.entries()) {
          const big = c.name === 'scale_deployment' && (c.arguments['replicas'] as number) > 10;
          if (c.name === 'read_logs' || (c.name === 'scale_deployment' && !big)) assert.equal(outcomes[i], 'ran');
          else assert.equal(outcomes[i], big ? 'approval_required' : 'denied');
        }
      }),
      { numRuns: 15 },
    );
  });

  it('runs an approved call once, and only with exactly the approved arguments', async () => {
    const variant = fc.oneof(
      fc.constant<'same'>('same'),
      fc.constant<'reordered'>('reordered'),
      fc.integer({ min: 11, max: 40 }).map((n) => ({ replicas: n })),
      fc.constantFrom({ namespace: 'dev' }, { deployment: 'db' }),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 11, max: 40 }), fc.array(variant, { minLength: 1, maxLength: 5 }), async (replicas, variants) => {
        const approved = { namespace: 'prod', deployment: 'api', replicas };
        const held = await agent.callTool({ name: 'scale_deployment', arguments: approved }).catch((e: unknown) => e as McpError);
        const id = ((held as McpError).data as { approval_id: string }).approval_id;
        await approve(airlock, sre, id);
        const before = ran.length;
        let spent = false;
        for (const v of variants) {
          const args = v === 'same' ? { ...approved } : v === 'reordered' ? { replicas, deployment: 'api', namespace: 'prod' } : { ...approved, ...v };
          const outcome = await attempt({ name: 'scale_deployment', arguments: args }, { 'airlock/approval': id });
          const exact = canonicalJson(args) === canonicalJson(approved);
          assert.equal(outcome, exact && !spent ? 'ran' : 'denied', `${JSON.stringify(args)} after spent=${spent}`);
          if (outcome === 'ran') spent = true;
        }
        const runs = ran.slice(before);
        assert.ok(runs.length <= 1);
        for (const r of runs) assert.equal(canonicalJson(r.args), canonicalJson(approved));
      }),
      { numRuns: 10 },
    );
  });
});
