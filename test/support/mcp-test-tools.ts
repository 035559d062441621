// Tools that exercise what the gateway must pass through or survive: a server-to-client sampling
// request in the middle of a call, progress notifications, a call that waits for cancellation,
// and a server that dies mid-call.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

export interface TestToolHooks {
  readonly crash: () => void;
  readonly cancelled?: (reason: unknown) => void;
}

export function testTools(server: McpServer, hooks: TestToolHooks): void {
  server.registerTool('ask_model', { description: 'Asks the agent to sample', inputSchema: { question: z.string() } }, async ({ question }) => {
    const answer = await server.server.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: question } }], maxTokens: 10 });
    return { content: [{ type: 'text', text: `the model said: ${(answer.content as { text?: string }).text ?? ''}` }] };
  });
  server.registerTool('slow', { description: 'Reports progress, then waits until cancelled', inputSchema: { steps: z.number().int() } }, async ({ steps }, extra) => {
    const token = extra._meta?.progressToken;
    for (let i = 1; i <= steps; i++) {
      if (token !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: steps } });
    }
    await new Promise<void>((resolve) => extra.signal.addEventListener('abort', () => resolve()));
    hooks.cancelled?.(extra.signal.reason);
    return { content: [{ type: 'text', text: 'cancelled' }] };
  });
  server.registerTool('crash', { description: 'Dies mid-call', inputSchema: {} }, async () => {
    hooks.crash();
    return { content: [] };
  });
  server.registerTool('echo', { description: 'Echoes its arguments', inputSchema: { value: z.unknown() } }, async (args) => ({
    content: [{ type: 'text', text: JSON.stringify(args) }],
  }));
}
