// End-to-end support for MCP: a policy bundle for the example infra server, an airlock serving it
// over either transport, and a real MCP SDK client connected through the gateway.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import path from 'node:path';
import { REPO, startAirlock, type RunningAirlock } from './airlock-process.js';

export const MCP_POLICIES: Record<string, string> = {
  'mcp.cedar': `
@id("agents-connect")
permit (principal in Group::"agents", action in [Action::"mcp.connect", Action::"tool.list", Action::"resource.list", Action::"prompt.list"], resource == Resource::"infra");
@id("read-logs")
permit (principal in Group::"agents", action == Action::"tool.call", resource == Tool::"infra/read_logs");
@id("scale-small")
permit (principal in Group::"agents", action == Action::"tool.call", resource == Tool::"infra/scale_deployment")
when { context.arguments.replicas <= 10 };
@id("scale-big") @approval("sre")
permit (principal in Group::"agents", action == Action::"tool.call", resource == Tool::"infra/scale_deployment")
when { context.arguments.replicas > 10 };
@id("test-tools")
permit (principal in Group::"agents", action == Action::"tool.call", resource in Resource::"infra")
when { ["ask_model", "slow", "crash", "echo"].contains(context.tool) };
@id("runbook")
permit (principal in Group::"agents", action == Action::"resource.read", resource == McpResource::"infra/runbook://scaling");
`,
  'control.cedar': `
@id("sre-approvals") permit (principal in Group::"sre", action in [Action::"admin.approvals.read", Action::"admin.approve", Action::"admin.deny", Action::"admin.audit.read", Action::"admin.pins.read", Action::"admin.pins.accept"], resource);
`,
};

export const COMMAND_STDIO = [process.execPath, '--import', 'tsx', path.join(REPO, 'test/support/mcp-stdio-server.ts')];

export async function startMcpGateway(resource: Record<string, unknown>, config: Record<string, unknown> = {}): Promise<RunningAirlock> {
  return startAirlock({ policies: MCP_POLICIES, resources: [{ name: 'infra', type: 'mcp', ...resource }], config: { approvals: { hold_seconds: 0, ttl_seconds: 600 }, ...config } });
}

export async function connectAgent(airlock: RunningAirlock, token: string, configure?: (c: Client) => void): Promise<Client> {
  const client = new Client({ name: 'test-agent', version: '1.0.0' }, { capabilities: { sampling: {} } });
  configure?.(client);
  await client.connect(new StreamableHTTPClientTransport(new URL(`${airlock.dataUrl}/infra`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

/** Audit records of the running gateway, as the SRE reads them. */
export async function auditRecords(airlock: RunningAirlock, token: string): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${airlock.adminUrl}/api/v1/audit?after=-1&limit=10000`, { headers: { authorization: `Bearer ${token}` } });
  return (await res.json()) as Record<string, unknown>[];
}

export async function approve(airlock: RunningAirlock, token: string, id: string): Promise<void> {
  const res = await fetch(`${airlock.adminUrl}/api/v1/approvals/${id}/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{"reason":"ok"}',
  });
  if (res.status !== 200) throw new Error(`approve answered ${res.status}: ${await res.text()}`);
}
