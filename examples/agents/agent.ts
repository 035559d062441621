// The walk-through's agent: an MCP client (the SDK an agent framework would use) that reaches the
// infra server only through Airlock. It lists its tools, reads logs (allowed at once), then scales
// to 20 replicas, which waits for an SRE: it shows the approval id, asks again every few seconds
// with the approval attached (`_meta["airlock/approval"]`), and runs the call once it is approved.
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';

export interface AgentDemoOptions {
  readonly url: string;
  readonly token: string;
  readonly log: (line: string) => void;
  readonly pollMs?: number;
}

const textOf = (r: Record<string, unknown>) => ((r['content'] ?? []) as { text?: string }[]).map((c) => c.text ?? '').join('\n');

export async function runAgentDemo(opts: AgentDemoOptions): Promise<string> {
  const client = new Client({ name: 'demo-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(opts.url), { requestInit: { headers: { authorization: `Bearer ${opts.token}` } } }));
  try {
    opts.log(`tools I may use: ${(await client.listTools()).tools.map((t) => t.name).join(', ')}`);
    opts.log(textOf(await client.callTool({ name: 'read_logs', arguments: { service: 'checkout', lines: 3 } })));

    const scale = { name: 'scale_deployment', arguments: { namespace: 'prod', deployment: 'checkout', replicas: 20 } };
    let approval: string | undefined;
    for (;;) {
      try {
        const result = await client.callTool(approval ? { ...scale, _meta: { 'airlock/approval': approval } } : scale);
        opts.log(textOf(result));
        return textOf(result);
      } catch (err) {
        const data = err instanceof McpError ? (err.data as { code?: string; approval_id?: string } | undefined) : undefined;
        if (data?.code !== 'approval_required' || !data.approval_id) throw err;
        if (!approval) opts.log(`scale_deployment to 20 replicas waits for an SRE: approval ${data.approval_id}`);
        approval = data.approval_id;
        await new Promise((r) => setTimeout(r, opts.pollMs ?? 3000));
      }
    }
  } finally {
    await client.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const token = process.env.TOKEN;
  if (!token) throw new Error('set TOKEN to the agent key (airlock keys create --agent claude --groups agents ...)');
  await runAgentDemo({ url: process.env.MCP_URL ?? 'http://127.0.0.1:8080/infra', token, log: (l) => process.stdout.write(`agent: ${l}\n`) });
}
