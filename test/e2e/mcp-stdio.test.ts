// MCP through `airlock serve` to a stdio server the gateway runs itself (one child per agent
// session), with the real MCP SDK client: sessions, server-to-client requests, a server that dies
// mid-call (the agent gets an error, the outcome says why, the child comes back), sessions that
// belong to their principal, and children stopped with the gateway.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateMessageRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { tempDir } from '../../src/lib/test-temp-dir.js';
import { waitFor } from '../../src/lib/test-wait.js';
import { REPO, type RunningAirlock } from '../support/airlock-process.js';
import { auditRecords, COMMAND_STDIO, connectAgent, startMcpGateway } from '../support/mcp-gateway.js';

const callsFile = path.join(tempDir('mcp-stdio'), 'calls.jsonl');
writeFileSync(callsFile, '');
const calls = () => readFileSync(callsFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { tool: string; pid: number });

let airlock: RunningAirlock;
let agentToken: string;
let sreToken: string;

before(async () => {
  airlock = await startMcpGateway({ command: COMMAND_STDIO, cwd: REPO, env: { CALLS_FILE: callsFile } });
  agentToken = await airlock.token({ sub: 'claude', groups: ['agents'] });
  sreToken = await airlock.token({ sub: 'sam', groups: ['sre'] });
});
after(() => airlock.stop());

describe('MCP over a stdio server run by airlock', () => {
  it('gives each session its own server process and decides every call', async () => {
    const a = await connectAgent(airlock, agentToken);
    const b = await connectAgent(airlock, agentToken);
    assert.deepEqual((await a.listTools()).tools.map((t) => t.name).sort(), ['ask_model', 'crash', 'echo', 'read_logs', 'scale_deployment', 'slow']);
    await a.callTool({ name: 'read_logs', arguments: { service: 'api' } });
    await b.callTool({ name: 'read_logs', arguments: { service: 'db' } });
    const err = await a.callTool({ name: 'export_dataset', arguments: { dataset: 'x', destination: 'y' } }).catch((e: unknown) => e);
    assert.ok(err instanceof McpError && (err.data as { code: string }).code === 'denied');
    const seen = calls();
    assert.deepEqual(seen.map((c) => c.tool), ['read_logs', 'read_logs']);
    assert.notEqual(seen[0]!.pid, seen[1]!.pid, 'one child per session');
    await a.close();
    await b.close();
  });

  it('passes a sampling request from the child to the agent and back', async () => {
    const agent = await connectAgent(airlock, agentToken, (c) =>
      c.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', model: 'test', content: { type: 'text', text: 'yes' } })),
    );
    const result = await agent.callTool({ name: 'ask_model', arguments: { question: 'ok?' } });
    assert.match(JSON.stringify(result.content), /the model said: yes/);
    await agent.close();
  });

  it('answers a call whose server died with an error, records why, and restarts the server', async () => {
    const agent = await connectAgent(airlock, agentToken);
    const err = await agent.callTool({ name: 'crash', arguments: {} }).catch((e: unknown) => e);
    assert.ok(err instanceof McpError, String(err));
    assert.equal((err.data as { code: string }).code, 'server_exited');
    const requestId = (err.data as { request_id: string }).request_id;
    await waitFor(() => airlock.stderr().includes('MCP server exited'), 10_000);
    // The same session goes on with a new child, initialized again by the gateway.
    const logs = await agent.callTool({ name: 'read_logs', arguments: { service: 'after-crash' } });
    assert.match(JSON.stringify(logs.content), /after-crash/);
    const outcome = (await auditRecords(airlock, sreToken)).find((r) => r['kind'] === 'outcome' && r['request_id'] === requestId);
    assert.equal(outcome?.['error'], 'server_exited');
    await agent.close();
  });

  it("refuses another principal's session as if it did not exist", async () => {
    const agent = await connectAgent(airlock, agentToken);
    const session = (agent.transport as { sessionId?: string }).sessionId!;
    const other = await airlock.token({ sub: 'mallory', groups: ['agents'] });
    const res = await fetch(`${airlock.dataUrl}/infra`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': session },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'read_logs', arguments: { service: 'x' } } }),
    });
    assert.equal(res.status, 404);
    await agent.close();
  });

  it('stops every child when the gateway stops', async () => {
    const agent = await connectAgent(airlock, agentToken);
    await agent.callTool({ name: 'read_logs', arguments: { service: 'last' } });
    const pid = calls().at(-1)!.pid;
    assert.equal(await airlock.stop(), 0);
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
  });
});
