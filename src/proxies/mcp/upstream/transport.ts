// What the MCP surface needs from the way it reaches a server, Streamable HTTP (http-upstream.ts)
// or a stdio child per session (../stdio/): deliver one decided message and answer the agent,
// open the GET stream, end a session. Only the surface calls these, and only after `allow`.
import type { AirlockError } from '../../../lib/errors.js';
import type { Exchange } from '../../../pipeline/surface.js';
import type { AnswerFacts, AnswerHook } from '../answers.js';
import type { JsonRpcId, JsonRpcMessage } from '../json-rpc.js';

export interface Delivery {
  readonly ex: Exchange;
  readonly message: JsonRpcMessage;
  /** The message as the server receives it (an approval id taken out). */
  readonly body: Buffer;
  /** The agent's `Mcp-Session-Id`, if it sent one. */
  readonly session: string | undefined;
  /** For a request: its id, and what to do with the answer to it. */
  readonly watch?: { readonly id: JsonRpcId; readonly hook: AnswerHook };
}

export interface Delivered {
  /** The status the agent got; 0 when it left first. */
  readonly status: number;
  readonly bytes: number;
  /** Why the exchange is incomplete or failed: `client_closed`, `upstream_unavailable`, `server_exited`, ... */
  readonly error?: string;
  readonly facts?: AnswerFacts;
  /** The session an initialize answer opened. */
  readonly session?: string;
}

export interface McpTransport {
  /**
   * Delivers one message and answers the agent. Rejects with an AirlockError (upstream_*) only
   * when nothing has been sent to the agent yet; once an answer has begun, a failure ends it with
   * a JSON-RPC error for the watched request instead.
   */
  deliver(d: Delivery): Promise<Delivered>;
  /** The GET stream of server-to-client messages. */
  stream(ex: Exchange, session: string | undefined): Promise<Delivered>;
  /** DELETE: ends the session. */
  terminate(ex: Exchange, session: string | undefined): Promise<Delivered>;
  /** Tells the server that the agent gave up on a request (it left mid-call). */
  cancel(session: string | undefined, id: JsonRpcId, reason: string): void;
  /** Ends the open GET streams (the gateway is draining; agents reconnect elsewhere). */
  endStreams(): void;
  close(): Promise<void>;
}

export type UpstreamError = AirlockError & { readonly code: 'upstream_unavailable' | 'upstream_timeout' | 'not_found' | 'bad_request' };
