// Test support: a local SIEM webhook receiver that checks what a real one would (the signature,
// the JSON array, the seq headers) and can be told to fail or to stall; plus a temp SQLite store.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pino } from 'pino';
import { tempDir } from '../../lib/test-temp-dir.js';
import { verifyWebhook } from '../../lib/webhook-signature.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { Store } from '../../store/ports.js';

export const SECRET = 'test-sink-secret';
export const silentLog = pino({ level: 'silent' });

export interface Received {
  readonly body: string;
  readonly seqs: number[];
  readonly status: number;
}

export class Receiver {
  /** What to answer: an HTTP status, or 'hang' to accept and never answer. */
  answer: number | 'hang' = 200;
  readonly requests: Received[] = [];
  readonly problems: string[] = [];
  private server: Server | undefined;

  constructor(public port = 0) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/ingest`;
  }

  /** Seqs of the batches answered 2xx, in arrival order. */
  accepted(): number[] {
    return this.requests.filter((r) => r.status < 300).flatMap((r) => r.seqs);
  }

  async listen(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (this.answer === 'hang') return;
        const seqs = this.check(body, req.headers);
        const status = seqs ? this.answer : 400;
        this.requests.push({ body, seqs: seqs ?? [], status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(this.port, '127.0.0.1', r));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }

  private check(body: string, headers: NodeJS.Dict<string | string[]>): number[] | undefined {
    const fail = (why: string) => (this.problems.push(why), undefined);
    if (headers['content-type'] !== 'application/json') return fail('content-type');
    if (!verifyWebhook(SECRET, body, String(headers['airlock-signature']))) return fail('signature');
    const records = JSON.parse(body) as { seq: number }[];
    if (!Array.isArray(records) || !records.length) return fail('not a non-empty array');
    const seqs = records.map((r) => r.seq);
    if (String(seqs[0]) !== headers['airlock-sink-first-seq']) return fail('first-seq header');
    if (String(seqs.at(-1)) !== headers['airlock-sink-last-seq']) return fail('last-seq header');
    return seqs;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function tempStore(): Promise<{ store: Store; dir: string; cleanup(): Promise<void> }> {
  const dir = tempDir('sinks');
  const store = openSqliteStore(path.join(dir, 'airlock.db'));
  return { store, dir, cleanup: () => store.close() };
}

export async function appendRecords(store: Store, count: number, from = 0): Promise<void> {
  for (let i = from; i < from + count; i++) await store.audit.appendAudit([{ kind: 'x', n: i }]);
}

export const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** Arrival order with repeats dropped, as a receiver de-duplicating by seq would see it. */
export const dedupe = (seqs: number[]) => [...new Set(seqs)];
