// Test helpers for the channels: a local HTTP receiver that records what it is sent and answers
// as a test script says, and a realistic approval to notify about. Not a test file itself.
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { Approval } from '../types.js';

export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly at: number;
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** Resolves when `n` requests have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** `answer(n)` gives the status for the n-th request (1-based); `null` never answers. */
export async function startReceiver(answer: (n: number) => number | null = () => 200): Promise<Receiver> {
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      waiters.splice(0).forEach((w) => w());
      const status = answer(received.length);
      if (status !== null) res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'unavailable');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    async waitFor(n, timeoutMs = 3_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`receiver got ${received.length} of ${n} requests`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
      return received;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const silentLog = pino({ level: 'silent' });

export const approval: Approval = {
  id: 'apr_01HZX3K9',
  kind: 'request',
  status: 'pending',
  principal: { type: 'User', id: 'alice', groups: ['ml-engineers'] },
  action: 'model.invoke',
  resource: 'Model::"llm/gpt-4o"',
  resource_name: 'llm',
  context: {
    mfa: true,
    mfa_age: 30,
    source_ip: { __extn: { fn: 'ip', arg: '10.0.0.7' } },
    hour: 14,
    weekday: 2,
    method: 'POST',
    path: '/v1/chat/completions',
    model: 'gpt-4o',
    stream: false,
    max_tokens: 512,
  },
  request: { method: 'POST', path: '/v1/chat/completions', body_sha256: 'ab'.repeat(32) },
  fingerprint: 'cd'.repeat(32),
  groups: ['ml-leads'],
  quorum: 1,
  requirements: [{ groups: ['ml-leads'], quorum: 1 }],
  votes: [],
  reason: null,
  request_id: 'req_123',
  policy_version: 'ef'.repeat(32),
  policies: ['prod-models-need-approval'],
  created_at: '2025-01-01T12:00:00.000Z',
  expires_at: '2025-01-01T13:00:00.000Z',
  decided_at: null,
  used_at: null,
};
