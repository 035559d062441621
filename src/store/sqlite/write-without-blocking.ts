// A write on the gateway's own connection that must not sleep in SQLite's busy handler. That
// handler sleeps on the calling thread (1, 2, 5, 10... ms) while another connection holds the
// write lock, and the other connection is usually the audit worker, committing several times a
// millisecond under load: on the main thread the sleep stalls the event loop and every request in
// flight (measured: 1 % of GPU reservations at 200 admissions/s took 2-11 ms, which was the
// admission p99). Writes on the request path (GPU reservations, token counts) go through here:
// tried without waiting, and when the lock is held, tried again from the event loop.
import type Database from 'better-sqlite3';

/** busy_timeout of the gateway's connection, for every other statement. */
export const BUSY_TIMEOUT_MS = 5000;
/** Tries from setImmediate (the lock is usually free within a commit) before 1 ms timers. */
const IMMEDIATE_TRIES = 50;

export async function writeWithoutBlocking<T>(db: Database.Database, write: () => T): Promise<T> {
  const deadline = performance.now() + BUSY_TIMEOUT_MS;
  for (let attempt = 0; ; attempt++) {
    db.pragma('busy_timeout = 0');
    try {
      return write();
    } catch (e) {
      // Extended codes too (SQLITE_BUSY_RECOVERY, SQLITE_BUSY_SNAPSHOT): each is "try again".
      const code = (e as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || performance.now() > deadline) throw e;
    } finally {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
    await new Promise<void>((resolve) => (attempt < IMMEDIATE_TRIES ? setImmediate(resolve) : setTimeout(resolve, 1)));
  }
}
