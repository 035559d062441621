// The example infra server as a stdio child for end-to-end tests, with tools that misbehave on
// purpose. Each tool call is appended to $CALLS_FILE, so a test can see exactly what ran.
import { appendFileSync } from 'node:fs';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createInfraServer } from '../../examples/agents/infra-server.js';
import { testTools } from './mcp-test-tools.js';

const file = process.env.CALLS_FILE;
const server = createInfraServer({
  onCall: (tool, args) => file && appendFileSync(file, `${JSON.stringify({ tool, args, pid: process.pid })}\n`),
  extend: (s) => testTools(s, { crash: () => process.exit(3) }),
});
await server.connect(new StdioServerTransport());
