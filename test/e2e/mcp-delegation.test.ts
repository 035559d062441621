// Delegation through the MCP surface (an RFC 8693 `act` token and a key made with
// `keys create --on-behalf-of`): both principals decided, both named in the record; and the stdio
// bridge `airlock mcp connect` driven by the real MCP SDK client as an agent would run it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { startInfraHttp, type InfraHttpServer } from '../../examples/agents/infra-server.js';
import { AIRLOCK_BIN, runCli, startAirlock, type RunningAirlock } from '../support/airlock-process.js';
import { auditRecords, connectAgent } from '../support/mcp-gateway.js';

const POLICIES = {
  'p.cedar': `
@id("connect") permit (principal, action in [Action::"mcp.connect", Action::"tool.list"], resource == Resource::"infra");
@id("copilot-tools") permit (principal == Agent::"copilot", action == Action::"tool.call", resource in Resource::"infra");
@id("alice-logs") permit (principal == User::"alice", action == Action::"tool.call", resource == Tool::"infra/read_logs");
@id("audit") permit (principal in Group::"sre", action == Action::"admin.audit.read", resource);
`,
};

let server: InfraHttpServer;
let airlock: RunningAirlock;
let sre: string;

before(async () => {
  server = await startInfraHttp(0);
  airlock = await startAirlock({ policies: POLICIES, resources: [{ name: 'infra', type: 'mcp', upstream: server.url }] });
  sre = await airlock.token({ sub: 'sam', groups: ['sre'] });
});
after(async () => {
  await airlock.stop();
  await server.close();
});

const codeOf = (e: unknown) => (e instanceof McpError ? (e.data as { code: string }).code : String(e));

describe('an agent acting for a person', () => {
  it('is allowed only what both may do, and the record names both (act claim)', async () => {
    const token = await airlock.token({ sub: 'alice', act: 'copilot' });
    const agent = await connectAgent(airlock, token);
    assert.deepEqual((await agent.listTools()).tools.map((t) => t.name), ['read_logs']);
    await agent.callTool({ name: 'read_logs', arguments: { service: 'api' } });
    assert.equal(codeOf(await agent.callTool({ name: 'scale_deployment', arguments: { namespace: 'a', deployment: 'b', replicas: 1 } }).catch((e: unknown) => e)), 'denied');
    await agent.close();
    const rec = (await auditRecords(airlock, sre)).find((r) => r['kind'] === 'decision' && r['tool'] === 'read_logs')!;
    assert.deepEqual(rec['principal'], { type: 'Agent', id: 'copilot', groups: [], on_behalf_of: { type: 'User', id: 'alice', groups: [] } });
  });

  it('holds a delegated key to the person it was made for', async () => {
    const made = await runCli(['keys', 'create', '--agent', 'copilot', '--on-behalf-of', 'bob', '--config', airlock.configFile], { cwd: airlock.dir });
    assert.equal(made.code, 0, made.stderr);
    const agent = await connectAgent(airlock, made.stdout.trim());
    assert.deepEqual((await agent.listTools()).tools, [], 'bob may call nothing, so his agent sees nothing');
    assert.equal(codeOf(await agent.callTool({ name: 'read_logs', arguments: { service: 'api' } }).catch((e: unknown) => e)), 'denied');
    await agent.close();
  });
});

describe('airlock mcp connect', () => {
  it('is a stdio MCP server an agent runs, relaying to the gateway with its token', async () => {
    const token = await airlock.token({ sub: 'alice', act: 'copilot' });
    const client = new Client({ name: 'desktop-agent', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [AIRLOCK_BIN, 'mcp', 'connect', 'infra', '--server', airlock.dataUrl],
        env: { ...(process.env as Record<string, string>), AIRLOCK_TOKEN: token },
        stderr: 'pipe',
      }),
    );
    assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['read_logs']);
    const result = await client.callTool({ name: 'read_logs', arguments: { service: 'bridge' } });
    assert.match(JSON.stringify(result.content), /bridge ok request 0/);
    assert.equal(codeOf(await client.callTool({ name: 'export_dataset', arguments: { dataset: 'a', destination: 'b' } }).catch((e: unknown) => e)), 'denied');
    await client.close();
  });
});
