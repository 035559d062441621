// MCP through `airlock serve` to a Streamable HTTP server, with the real MCP SDK on both sides:
// filtered discovery, per-call decisions, an approval spent once on exactly the approved
// arguments, server-to-client requests, OAuth discovery, and the agent that leaves mid-call.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { McpError, CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { discoverOAuthProtectedResourceMetadata } from '@modelcontextprotocol/sdk/client/auth.js';
import { startInfraHttp, type InfraHttpServer } from '../../examples/agents/infra-server.js';
import { testTools } from '../support/mcp-test-tools.js';
import { approve, auditRecords, connectAgent, startMcpGateway } from '../support/mcp-gateway.js';
import type { RunningAirlock } from '../support/airlock-process.js';
import { waitFor } from '../../src/lib/test-wait.js';

const calls: { tool: string; args: Record<string, unknown> }[] = [];
const cancellations: unknown[] = [];
let server: InfraHttpServer;
let airlock: RunningAirlock;
let agentToken: string;
let sreToken: string;

before(async () => {
  server = await startInfraHttp(0, {
    onCall: (tool, args) => calls.push({ tool, args }),
    extend: (s) => testTools(s, { crash: () => undefined, cancelled: (r) => cancellations.push(r) }),
  });
  airlock = await startMcpGateway({ upstream: server.url });
  agentToken = await airlock.token({ sub: 'claude', groups: ['agents'] });
  sreToken = await airlock.token({ sub: 'sam', groups: ['sre'] });
});
after(async () => {
  await airlock.stop();
  await server.close();
});

async function refusal(p: Promise<unknown>): Promise<McpError> {
  const err = await p.then(() => assert.fail('expected a refusal'), (e: unknown) => e);
  assert.ok(err instanceof McpError, String(err));
  return err;
}

describe('MCP over Streamable HTTP through airlock', () => {
  it('lists only the tools, resources and prompts the agent may use', async () => {
    const agent = await connectAgent(airlock, agentToken);
    const tools = (await agent.listTools()).tools.map((t) => t.name).sort();
    assert.deepEqual(tools, ['ask_model', 'crash', 'echo', 'read_logs', 'scale_deployment', 'slow']);
    assert.deepEqual((await agent.listResources()).resources.map((r) => r.uri), ['runbook://scaling']);
    assert.deepEqual((await agent.listPrompts()).prompts, []);
    await agent.close();
  });

  it('runs a permitted call and refuses a denied one without the server seeing it', async () => {
    const agent = await connectAgent(airlock, agentToken);
    const before = calls.length;
    const logs = await agent.callTool({ name: 'read_logs', arguments: { service: 'api', lines: 2 } });
    assert.match(JSON.stringify(logs.content), /api ok request 1/);
    const denied = await refusal(agent.callTool({ name: 'export_dataset', arguments: { dataset: 'users', destination: 's3://public' } }));
    assert.equal(denied.code, -32001);
    assert.equal((denied.data as { code: string }).code, 'denied');
    assert.match((denied.data as { request_id: string }).request_id, /^[0-9a-f-]{36}$/);
    const prompt = await refusal(agent.getPrompt({ name: 'incident_summary', arguments: { service: 'api' } }));
    assert.equal((prompt.data as { code: string }).code, 'denied');
    assert.deepEqual(calls.slice(before).map((c) => c.tool), ['read_logs']);

    const records = await auditRecords(airlock, sreToken);
    const call = records.find((r) => r['kind'] === 'decision' && r['tool'] === 'read_logs')!;
    assert.equal(call['decision'], 'allow');
    assert.equal(call['resource'], 'Tool::"infra/read_logs"');
    assert.match(String(call['arguments_sha256']), /^[0-9a-f]{64}$/);
    assert.match(String(call['tool_digest']), /^[0-9a-f]{64}$/);
    assert.match(String(call['session']), /^[0-9a-f]{16}$/);
    const outcome = records.find((r) => r['kind'] === 'outcome' && r['request_id'] === call['request_id'])!;
    assert.equal(outcome['is_error'], false);
    assert.match(String(outcome['result_sha256']), /^[0-9a-f]{64}$/);
    await agent.close();
  });

  it('holds a big scale for an SRE, then runs it once and only with the approved arguments', async () => {
    const agent = await connectAgent(airlock, agentToken);
    const args = { namespace: 'prod', deployment: 'api', replicas: 20 };
    const before = calls.length;
    const held = await refusal(agent.callTool({ name: 'scale_deployment', arguments: args }));
    const data = held.data as { code: string; approval_id: string };
    assert.deepEqual([held.code, data.code], [-32001, 'approval_required']);
    const small = await agent.callTool({ name: 'scale_deployment', arguments: { ...args, replicas: 3 } });
    assert.match(JSON.stringify(small.content), /scaled to 3/);
    await approve(airlock, sreToken, data.approval_id);

    const meta = { 'airlock/approval': data.approval_id };
    const other = await refusal(agent.callTool({ name: 'scale_deployment', arguments: { ...args, replicas: 200 }, _meta: meta }));
    assert.equal((other.data as { code: string }).code, 'denied');
    const reordered = { replicas: 20, deployment: 'api', namespace: 'prod' };
    const ran = await agent.callTool({ name: 'scale_deployment', arguments: reordered, _meta: meta });
    assert.match(JSON.stringify(ran.content), /scaled to 20/);
    const again = await refusal(agent.callTool({ name: 'scale_deployment', arguments: args, _meta: meta }));
    assert.equal((again.data as { code: string }).code, 'denied');
    assert.deepEqual(calls.slice(before).map((c) => c.args['replicas']), [3, 20]);
    await agent.close();
  });

  it('passes a sampling request to the agent and its answer back to the server', async () => {
    const agent = await connectAgent(airlock, agentToken, (c) =>
      c.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', model: 'test', content: { type: 'text', text: 'forty-two' } })),
    );
    const result = await agent.callTool({ name: 'ask_model', arguments: { question: 'meaning?' } });
    assert.match(JSON.stringify(result.content), /the model said: forty-two/);
    await agent.close();
  });

  it('passes progress through, and tells the server when the agent gives up on a call', async () => {
    const agent = await connectAgent(airlock, agentToken);
    const progress: number[] = [];
    const abort = new AbortController();
    const call = agent.callTool({ name: 'slow', arguments: { steps: 2 } }, undefined, { signal: abort.signal, onprogress: (p) => void progress.push(p.progress) });
    await waitFor(() => progress.length === 2, 10_000);
    abort.abort('enough');
    await assert.rejects(call);
    await waitFor(() => cancellations.length === 1, 10_000);
    await agent.close();
  });

  it('answers 401 with the resource metadata URL, which names the issuer', async () => {
    const res = await fetch(`${airlock.dataUrl}/infra`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
    assert.equal(res.status, 401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    const url = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    assert.equal(url, `${airlock.dataUrl}/.well-known/oauth-protected-resource/infra`);
    const body = (await res.json()) as { error: { code: number; data: { code: string } } };
    assert.deepEqual([body.error.code, body.error.data.code], [-32002, 'unauthenticated']);
    const meta = await discoverOAuthProtectedResourceMetadata(new URL(`${airlock.dataUrl}/infra`));
    assert.equal(meta.resource, `${airlock.dataUrl}/infra`);
    assert.deepEqual(meta.authorization_servers, ['https://dev.airlock.local']);
  });
});
