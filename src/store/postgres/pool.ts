// The connection pool behind the PostgreSQL store. It promises that nothing hangs and nothing
// crashes: connects give up after 2 s, statements after 5 s, a connection dropped by a server
// restart is discarded instead of being thrown at the process, and every error that means
// "the database cannot be reached" surfaces as AirlockError('store_unavailable') (a 503), while
// the next query after the server is back simply works.
import pg from 'pg';
import { AirlockError } from '../../lib/errors.js';

export type ErrorReporter = (err: unknown, context: string) => void;

export interface Queryable {
  /** `timeoutMs` overrides the client-side timeout, for statements allowed to wait longer. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: readonly unknown[], timeoutMs?: number): Promise<pg.QueryResult<R>>;
}

export interface Db extends Queryable {
  /** Runs `fn` between BEGIN and COMMIT on one connection; any failure rolls it back. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  end(): Promise<void>;
}

// BIGINT columns hold seqs and unix-ms times; pg hands int8 back as strings to avoid silent
// precision loss, so parse them here and refuse (rather than round) anything past 2^53.
const int8 = (text: string): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} does not fit a JavaScript number`);
  return n;
};
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary' ? int8 : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** Settings shared by the pool and the change feed's own connection. */
export function clientConfig(url: string): pg.ClientConfig {
  return {
    connectionString: url,
    application_name: 'airlock',
    connectionTimeoutMillis: 2000,
    statement_timeout: 5000,
    // The client-side backstop fires after the server's own statement timeout would have.
    query_timeout: 6000,
    // A replica that stalls mid-transaction must not hold the audit head's lock for long.
    idle_in_transaction_session_timeout: 10_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    types,
  };
}

// SQLSTATE classes that mean the server or the connection is gone or refusing work, not that
// the statement was wrong: 08 connection exception, 57P0x shutdown/crash/starting, 53300 too many
// connections, 57014 statement timeout (cancelled: the database is too slow to answer in time).
const UNAVAILABLE_SQLSTATE = /^(08|57P0|53300$|57014$)/;

// What the driver throws when there is no usable connection, besides socket errnos.
const UNAVAILABLE_MESSAGE = /connection|terminated|timeout|not queryable|after calling end/i;

export function isUnavailable(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) return UNAVAILABLE_SQLSTATE.test(err.code ?? '');
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  // ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, ENOTFOUND, EAI_AGAIN, ...
  return (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) || UNAVAILABLE_MESSAGE.test(err.message);
}

export function storeError(err: unknown): unknown {
  if (err instanceof AirlockError || !isUnavailable(err)) return err;
  const wrapped = new AirlockError('store_unavailable', `the PostgreSQL store is unavailable: ${(err as Error).message}`, {
    ...((err as { code?: string }).code ? { cause_code: (err as { code?: string }).code } : {}),
  });
  wrapped.cause = err;
  return wrapped;
}

export function createDb(url: string, poolSize: number, report: ErrorReporter): Db {
  // allowExitOnIdle: a CLI command that forgets close() still exits once its queries are done.
  const pool = new pg.Pool({ ...clientConfig(url), max: poolSize, idleTimeoutMillis: 30_000, allowExitOnIdle: true });
  // An idle connection killed by a server restart: the pool drops it and opens a new one on demand.
  pool.on('error', (err) => report(err, 'idle connection lost'));

  const config = (text: string, values?: readonly unknown[], timeoutMs?: number): pg.QueryConfig => ({
    text,
    values: values as unknown[] | undefined,
    ...(timeoutMs ? { query_timeout: timeoutMs } : {}),
  });
  const query: Queryable['query'] = (text, values, timeoutMs) =>
    pool.query(config(text, values, timeoutMs)).catch((err: unknown) => Promise.reject(storeError(err)));

  async function tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    const client = await pool.connect().catch((err: unknown) => Promise.reject(storeError(err)));
    // A checked-out client has no pool listener: without ours, a connection dropped between two
    // statements of this transaction would be an unhandled 'error' event, i.e. a crash.
    let broken: Error | undefined;
    const onError = (err: Error) => {
      broken = err;
      report(err, 'connection lost in a transaction');
    };
    client.on('error', onError);
    const q: Queryable = {
      query: (text, values, timeoutMs) =>
        client.query(config(text, values, timeoutMs)).catch((err: unknown) => {
          // A socket failure or a client-side timeout leaves the connection unusable.
          if (!(err instanceof pg.DatabaseError)) broken ??= err instanceof Error ? err : new Error(String(err));
          return Promise.reject(storeError(err));
        }),
    };
    try {
      await q.query('BEGIN');
      const result = await fn(q);
      await q.query('COMMIT');
      return result;
    } catch (err) {
      // A broken connection is destroyed instead: the server rolls back when the socket closes.
      if (!broken) await client.query('ROLLBACK').catch((e: unknown) => (broken = e instanceof Error ? e : new Error(String(e))));
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  return { query, tx, end: () => pool.end() };
}
