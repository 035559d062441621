// The change feed across replicas: NOTIFY on one channel, heard by one dedicated LISTEN
// connection per process (a pooled connection would be handed to queries and lose the LISTEN).
// It is best effort by design: while the listener is down (PostgreSQL restarting) notifications
// are missed, so callers keep polling versions as the fallback. It promises never to crash the
// process: connection errors, a throwing subscriber and a failed publish are all reported and
// survived, and the listener reconnects with capped, jittered backoff.
import pg from 'pg';
import type { ChangeFeed, ChangeTopic } from '../ports.js';
import { clientConfig, type Db, type ErrorReporter } from './pool.js';

export const CHANGES_CHANNEL = 'airlock_changes';
const TOPICS: ReadonlySet<string> = new Set<ChangeTopic>(['keys', 'grants', 'approvals', 'policy', 'secrets']);
const MAX_BACKOFF_MS = 5000;
// A silently dead socket (no RST, e.g. a network partition) is only noticed by talking on it.
const HEARTBEAT_MS = 15_000;

export interface PgChangeFeed extends ChangeFeed {
  close(): Promise<void>;
}

/** Starts listening; resolves once the first LISTEN is in place (or its failure is being retried). */
export async function pgChangeFeed(url: string, db: Db, report: ErrorReporter): Promise<PgChangeFeed> {
  const listeners = new Set<(topic: ChangeTopic, payload: string) => void>();
  let client: pg.Client | undefined;
  let closed = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;

  const dispatch = (message: string) => {
    const colon = message.indexOf(':');
    const topic = message.slice(0, colon);
    if (colon < 0 || !TOPICS.has(topic)) return report(new Error(`ignored change notification "${message.slice(0, 80)}"`), 'change feed');
    for (const listener of [...listeners]) {
      try {
        listener(topic as ChangeTopic, message.slice(colon + 1));
      } catch (err) {
        report(err, 'change feed subscriber threw');
      }
    }
  };

  // The listener keeps the process alive only while someone is subscribed: a CLI command that
  // forgets close() still exits, while a process waiting for a change keeps waiting.
  const holdOpen = () => {
    const socket = client as unknown as { ref?: () => void; unref?: () => void } | undefined;
    if (listeners.size) socket?.ref?.();
    else socket?.unref?.();
  };

  /** The current connection failed: drop it and try again later. Stale connections are ignored. */
  const lost = (failed: pg.Client, err: unknown) => {
    if (failed !== client) return;
    client = undefined;
    failed.removeAllListeners('end');
    failed.end().catch(() => {});
    if (closed) return;
    report(err, 'change feed connection lost; reconnecting');
    const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** failures++) * (0.5 + Math.random() / 2);
    retry = setTimeout(() => void connect(), delay);
    if (!listeners.size) retry.unref();
  };

  async function connect(): Promise<void> {
    if (closed) return;
    const c = new pg.Client(clientConfig(url));
    client = c;
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c, new Error('connection ended')));
    c.on('notification', (n) => {
      if (n.channel === CHANGES_CHANNEL) dispatch(n.payload ?? '');
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANGES_CHANNEL}`);
      failures = 0;
      holdOpen();
    } catch (err) {
      lost(c, err);
    }
  }

  const heartbeat = setInterval(() => {
    const c = client;
    c?.query('SELECT 1').catch((err: unknown) => lost(c, err));
  }, HEARTBEAT_MS);
  heartbeat.unref();

  await connect();

  return {
    async publish(topic, payload) {
      // Best effort: the state change it announces is already committed, so a failed
      // notification must not turn the caller's success into an error; pollers catch up.
      await db.query(`SELECT pg_notify($1, $2)`, [CHANGES_CHANNEL, `${topic}:${payload}`]).catch((err: unknown) => report(err, 'change publish failed'));
    },
    subscribe(listener) {
      listeners.add(listener);
      holdOpen();
      return () => {
        listeners.delete(listener);
        holdOpen();
      };
    },
    async close() {
      closed = true;
      clearInterval(heartbeat);
      clearTimeout(retry);
      const c = client;
      client = undefined;
      listeners.clear();
      if (c) {
        c.removeAllListeners('end');
        await c.end().catch(() => {});
      }
    },
  };
}
