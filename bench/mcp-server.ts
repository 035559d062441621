// The benchmark's MCP server: the example infra server over Streamable HTTP with JSON answers, plus
// 200 generated tools so a tools/list has something to filter. Prints its URL.
import { z } from 'zod';
import { startInfraHttp } from '../examples/agents/infra-server.js';

export const BENCH_TOOLS = 200;

const s = await startInfraHttp(0, {
  jsonResponse: true,
  extend: (server) => {
    for (let i = 0; i < BENCH_TOOLS; i++) {
      const name = `tool_${String(i).padStart(3, '0')}`;
      server.registerTool(name, { description: `Generated tool ${i}: does step ${i} of a pipeline.`, inputSchema: { target: z.string(), count: z.number().int() } }, async () => ({ content: [] }));
    }
  },
});
process.stdout.write(`mcp bench server at ${s.url}\n`);
