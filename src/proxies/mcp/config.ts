// Configuration of `mcp` resources: one MCP server, reached over Streamable HTTP (`upstream`) or
// started by the gateway as a stdio child (`command`, with `env` and `cwd`), one child per agent
// session (see stdio/sessions.ts for why).
import { z } from 'zod';
import { resourceBase, upstreamTimeouts } from '../../config/resource-base.js';
import { httpUrl } from '../../lib/http-url.js';

export const mcpResourceSchema = resourceBase
  .extend({
    type: z.literal('mcp'),
    /** The server's Streamable HTTP endpoint, e.g. `http://127.0.0.1:3000/mcp`. */
    upstream: httpUrl.optional(),
    /** A stdio server: the program and its arguments, run without a shell. */
    command: z.array(z.string().min(1)).min(1).optional(),
    /** Added to the child's environment (which otherwise holds only HOME, PATH, and the like). */
    env: z.record(z.string(), z.string()).default({}),
    /** The child's working directory, relative to the config file (default: its directory). */
    cwd: z.string().min(1).optional(),
    /** Headers the gateway adds to upstream requests (the server's own credential). */
    inject: z.strictObject({ headers: z.record(z.string(), z.string()).default({}) }).default({ headers: {} }),
    timeouts: upstreamTimeouts,
    /**
     * The URL agents use for this resource (`https://airlock.example.com/tools`), for RFC 9728
     * metadata; by default it is made from the request's Host header.
     */
    public_url: httpUrl.optional(),
    /** stdio only: sessions (children) at most, and how long an idle one lives. */
    max_sessions: z.number().int().positive().default(64),
    session_idle_seconds: z.number().int().positive().default(900),
  })
  .refine((r) => (r.upstream === undefined) !== (r.command === undefined), {
    message: 'needs exactly one of upstream or command',
    path: ['upstream'],
  })
  .refine((r) => r.command !== undefined || (r.cwd === undefined && Object.keys(r.env).length === 0), {
    message: 'env and cwd apply only to a command',
    path: ['command'],
  });

export type McpResourceConfig = z.infer<typeof mcpResourceSchema>;
