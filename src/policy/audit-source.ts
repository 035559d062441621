// Policy lifecycle: the audit log's record lines, streamed from the store page by page for the
// tools that read it back (replay, shadow report). The next page is fetched while the current
// one is processed. With a start time the reading starts near it: record times rise with seq
// apart from a little jitter (concurrent requests are appended in commit order), so a binary
// search over seq, backed off by a safe margin, finds the place; the caller still filters by time.
import type { AuditStore } from '../store/ports.js';

export interface AuditSourceOptions {
  /** Skip (most of) the records before this time, unix ms. */
  readonly sinceMs?: number;
  readonly pageSize?: number;
}

/** How far out of time order records can be; only costs reading that many extra minutes. */
const TIME_JITTER_MS = 15 * 60_000;
const PROBE = 8;

export async function* auditLines(store: AuditStore, opts: AuditSourceOptions = {}): AsyncGenerator<string> {
  const pageSize = opts.pageSize ?? 5000;
  let after = opts.sinceMs === undefined ? -1 : await seqBefore(store, opts.sinceMs - TIME_JITTER_MS);
  let next = store.readAudit(after, pageSize);
  for (;;) {
    const page = await next;
    if (page.length === 0) return;
    after = page[page.length - 1]!.seq;
    next = store.readAudit(after, pageSize);
    // A failure of the prefetch is seen by the next await, not left unhandled meanwhile.
    next.catch(() => undefined);
    for (const r of page) yield r.line;
  }
}

/** The `after` cursor from which every record at or after `ms` will be read. */
export async function seqBefore(store: AuditStore, ms: number): Promise<number> {
  let lo = 0;
  let hi = (await store.auditHead()).size;
  // Invariant: every seq below lo is older than ms; hi is at or past the first one that is not.
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const t = await timeAt(store, mid);
    if (t !== undefined && t < ms) lo = mid + 1;
    else hi = mid; // unknown time: assume it may be in range and read from earlier
  }
  return lo - 1;
}

async function timeAt(store: AuditStore, seq: number): Promise<number | undefined> {
  for (const r of await store.readAudit(seq - 1, PROBE)) {
    try {
      const t = Date.parse((JSON.parse(r.line) as { time?: string }).time ?? '');
      if (Number.isFinite(t)) return t;
    } catch {
      // A line that is not JSON says nothing about time; look at the next one.
    }
  }
  return undefined;
}
