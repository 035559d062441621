// Model tokens per principal and UTC day, for `context.tokens_today` on `model.invoke`: a policy
// can then cap what a principal spends (`forbid ... when { context.tokens_today > 200000 }`).
// Counts come from the upstream answers' `usage` and are shared by replicas through the store.
// Reading the store on every request would put a query on the request path, so each principal's
// count is re-read at most once a second and this process's own additions are added locally in
// between; additions are written in batches twice a second. The count is therefore a budget
// guard that may trail the truth by about a second across replicas, never an exact meter.
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { LruCache } from '../../lib/lru-cache.js';
import type { UsageStore } from '../../store/ports.js';

const REREAD_MS = 1_000;
const FLUSH_MS = 500;

interface Count {
  readonly day: string;
  readonly stored: number;
  /** Added by this process since `stored` was read. */
  local: number;
  readonly readAt: number;
}

export class TokenLedger {
  private readonly counts = new LruCache<string, Count>(10_000);
  /** Not yet written: `principal\nday` -> tokens. */
  private pending = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: UsageStore,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  /** Tokens the principal has used today (UTC), as far as this process knows. */
  async today(principal: string): Promise<number> {
    const now = this.now();
    const day = utcDay(now);
    const known = this.counts.get(principal);
    if (known && known.day === day && now - known.readAt < REREAD_MS) return known.stored + known.local;
    const stored = await this.store.tokensOn(principal, day);
    const count: Count = { day, stored, local: this.pending.get(`${principal}\n${day}`) ?? 0, readAt: now };
    this.counts.set(principal, count);
    return count.stored + count.local;
  }

  add(principal: string, tokens: number): void {
    if (!(tokens > 0)) return;
    const day = utcDay(this.now());
    const key = `${principal}\n${day}`;
    this.pending.set(key, (this.pending.get(key) ?? 0) + tokens);
    const known = this.counts.get(principal);
    if (known?.day === day) known.local += tokens;
  }

  /** Writes what was added; on failure keeps it for the next attempt. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (!this.pending.size) return;
      const batch = this.pending;
      this.pending = new Map();
      const entries = [...batch].map(([key, tokens]) => {
        const [principal, day] = key.split('\n') as [string, string];
        return { principal, day, tokens };
      });
      try {
        await this.store.addTokens(entries);
      } catch (err) {
        this.log.warn({ err: errorMessage(err) }, 'token usage could not be written; retrying');
        for (const [key, tokens] of batch) this.pending.set(key, (this.pending.get(key) ?? 0) + tokens);
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
