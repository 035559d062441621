// `airlock mcp pins list|accept` (the control-plane pin API, as the caller) and
// `airlock mcp connect NAME` (the stdio bridge a local agent runs as its MCP server command).
import type { Command } from 'commander';
import type { ToolPin } from '../store/ports.js';
import { apiAction, callApi, withServerOption, type ServerOptions } from './api-client.js';
import { runBridge } from './mcp-bridge.js';
import { printTable } from './shared.js';

export function registerMcpCommands(program: Command): void {
  const mcp = program.command('mcp').description('AI agents: MCP tool pins and the stdio bridge (token from AIRLOCK_TOKEN)');
  const pins = mcp.command('pins').description('the trusted definitions of MCP tools');

  withServerOption(pins.command('list'))
    .description('list the pinned tools of an MCP resource (or of all)')
    .argument('[name]', 'the mcp resource')
    .action(
      apiAction(async (name: string | undefined, opts: ServerOptions) => {
        const list = await callApi<ToolPin[]>(opts, 'GET', `/api/v1/mcp/pins${name ? `?resource=${encodeURIComponent(name)}` : ''}`);
        printTable(
          list.map((p) => ({
            resource: p.resource,
            tool: p.tool,
            digest: p.digest ? p.digest.slice(0, 12) : 'none',
            status: p.pending_digest ? 'changed' : 'trusted',
            pending: p.pending_digest ?? '-',
            changed: p.changed_at ?? '-',
          })),
          name ? ['tool', 'digest', 'status', 'pending', 'changed'] : ['resource', 'tool', 'digest', 'status', 'pending', 'changed'],
        );
      }),
    );

  withServerOption(pins.command('accept'))
    .description("trust a tool's changed definition (show it first: the list's pending digest)")
    .argument('<name>', 'the mcp resource')
    .argument('<tool>', 'the tool')
    .option('--digest <sha256>', 'accept only this exact definition (the pending digest you reviewed)')
    .action(
      apiAction(async (name: string, tool: string, opts: ServerOptions & { digest?: string }) => {
        const path = `/api/v1/mcp/pins/${encodeURIComponent(name)}/${encodeURIComponent(tool)}/accept`;
        const pin = await callApi<ToolPin>(opts, 'POST', path, opts.digest ? { digest: opts.digest } : {});
        process.stdout.write(`accepted: ${name}/${tool} is trusted at ${pin.digest}\n`);
      }),
    );

  mcp
    .command('connect')
    .description('a stdio MCP server that relays to an mcp resource of the gateway (for agents that start servers as commands)')
    .argument('<name>', 'the mcp resource')
    .option('--server <url>', 'the gateway data plane', process.env.AIRLOCK_DATA_URL ?? 'http://127.0.0.1:8080')
    .action(async (name: string, opts: { server: string }) => {
      const token = process.env.AIRLOCK_TOKEN;
      if (!token) {
        process.stderr.write('set AIRLOCK_TOKEN to your bearer token (a JWT or an Airlock API key)\n');
        process.exit(2);
      }
      process.exitCode = await runBridge({ endpoint: new URL(`/${encodeURIComponent(name)}`, opts.server).href, token, input: process.stdin, output: process.stdout, log: (l) => process.stderr.write(`airlock mcp connect: ${l}\n`) });
    });
}
