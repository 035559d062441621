// A small MCP server with infrastructure tools, for the AI agents walk-through (README.md here).
// Nothing it does is real: it answers as a cluster and a data platform would. Run it as a stdio
// server (`--stdio`, what `command:` in airlock.yaml starts) or over Streamable HTTP
// (`--http [port]`, default 3001, endpoint /mcp).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface InfraServerOptions {
  /** Called with each tool call the server runs (tests count them). */
  readonly onCall?: (tool: string, args: Record<string, unknown>) => void;
  /** Registers more tools (tests add some that misbehave). */
  readonly extend?: (server: McpServer) => void;
  /** Replaces tool descriptions, read when a session starts (tests change a definition with it). */
  readonly descriptions?: Readonly<Record<string, string>>;
}

const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] });

export function createInfraServer(opts: InfraServerOptions = {}): McpServer {
  const server = new McpServer({ name: 'infra', version: '1.0.0' }, { capabilities: { logging: {} } });
  const called = (tool: string, args: Record<string, unknown>) => opts.onCall?.(tool, args);

  server.registerTool(
    'scale_deployment',
    {
      description: opts.descriptions?.['scale_deployment'] ?? 'Scale a Kubernetes deployment to a number of replicas.',
      inputSchema: { namespace: z.string(), deployment: z.string(), replicas: z.number().int().min(0) },
    },
    async (args) => {
      called('scale_deployment', args);
      return text(`deployment ${args.namespace}/${args.deployment} scaled to ${args.replicas} replicas`);
    },
  );
  server.registerTool(
    'export_dataset',
    {
      description: 'Export a dataset to an external destination (a bucket URL).',
      inputSchema: { dataset: z.string(), destination: z.string() },
    },
    async (args) => {
      called('export_dataset', args);
      return text(`dataset ${args.dataset} exported to ${args.destination}`);
    },
  );
  server.registerTool(
    'read_logs',
    {
      description: 'Read the latest log lines of a service.',
      inputSchema: { service: z.string(), lines: z.number().int().min(1).max(1000).default(20) },
    },
    async (args) => {
      called('read_logs', args);
      const lines = Array.from({ length: Math.min(args.lines, 5) }, (_, i) => `${new Date(Date.UTC(2030, 0, 1, 0, 0, i)).toISOString()} ${args.service} ok request ${i}`);
      return text(lines.join('\n'));
    },
  );
  server.registerResource('runbook', 'runbook://scaling', { description: 'How we scale services', mimeType: 'text/markdown' }, async (uri) => ({
    contents: [{ uri: uri.href, text: '# Scaling\nAsk an SRE before going past 10 replicas.' }],
  }));
  server.registerPrompt('incident_summary', { description: 'Summarise an incident', argsSchema: { service: z.string() } }, ({ service }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Summarise the latest incident of ${service}.` } }],
  }));
  opts.extend?.(server);
  return server;
}

export interface InfraHttpServer {
  readonly server: Server;
  /** The Streamable HTTP endpoint. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the tools over Streamable HTTP at /mcp, one SDK transport per session. */
export async function startInfraHttp(port: number, opts: InfraServerOptions & { jsonResponse?: boolean } = {}): Promise<InfraHttpServer> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (!req.url?.startsWith('/mcp')) return void res.writeHead(404).end();
    const sid = req.headers['mcp-session-id'];
    let transport = typeof sid === 'string' ? sessions.get(sid) : undefined;
    if (!transport) {
      if (sid !== undefined || req.method !== 'POST') return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","error":{"code":-32001,"message":"Session not found"},"id":null}');
      const t: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: opts.jsonResponse ?? false,
        onsessioninitialized: (id) => void sessions.set(id, t),
      });
      t.onclose = () => void (t.sessionId && sessions.delete(t.sessionId));
      await createInfraServer(opts).connect(t);
      transport = t;
    }
    await transport.handleRequest(req, res);
  };
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    async close() {
      await Promise.all([...sessions.values()].map((t) => t.close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--stdio')) {
    await createInfraServer({ onCall: (tool) => process.stderr.write(`called ${tool}\n`) }).connect(new StdioServerTransport());
  } else {
    const i = process.argv.indexOf('--http');
    const s = await startInfraHttp(Number(process.argv[i + 1] ?? process.env.PORT ?? 3001));
    process.stderr.write(`infra MCP server at ${s.url}\n`);
  }
}
