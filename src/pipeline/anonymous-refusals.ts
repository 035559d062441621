// The audit log must not be floodable by anyone without a credential. Refusals of requests that
// carry no accepted credential are recorded one by one only up to a number per address and
// minute; past it they are counted, and each address's counts for the minute become one
// `refusals_aggregated` record when the minute ends (or the gateway stops). Past the anonymous
// rate limit the answer itself becomes 429, which is counted the same way.
import type { AuditEntry } from '../store/ports.js';

const WINDOW_MS = 60_000;

interface Window {
  readonly start: number;
  last: number;
  recorded: number;
  readonly counted: Map<string, number>;
}

export class AnonymousRefusals {
  private readonly windows = new Map<string, Window>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly recordsPerWindow: number,
    private readonly emit: (entry: AuditEntry) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.flush(false), 5_000);
    this.timer.unref();
  }

  /** True when this refusal gets its own record; false when it was counted instead. */
  admit(address: string, code: string): boolean {
    const now = this.now();
    let w = this.windows.get(address);
    if (w && now - w.start >= WINDOW_MS) {
      this.emitWindow(address, w);
      w = undefined;
    }
    if (!w) {
      w = { start: now, last: now, recorded: 0, counted: new Map() };
      this.windows.set(address, w);
    }
    w.last = now;
    if (w.recorded < this.recordsPerWindow && code !== 'rate_limited') {
      w.recorded++;
      return true;
    }
    w.counted.set(code, (w.counted.get(code) ?? 0) + 1);
    return false;
  }

  /** Emits the counts of windows that have ended (all of them when `all`). */
  flush(all: boolean): void {
    const now = this.now();
    for (const [address, w] of this.windows) {
      if (all || now - w.start >= WINDOW_MS) {
        this.windows.delete(address);
        this.emitWindow(address, w);
      }
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flush(true);
  }

  private emitWindow(address: string, w: Window): void {
    if (!w.counted.size) return;
    let count = 0;
    for (const n of w.counted.values()) count += n;
    this.emit({
      kind: 'refusals_aggregated',
      time: new Date(w.last).toISOString(),
      source_ip: address,
      window_start: new Date(w.start).toISOString(),
      count,
      codes: Object.fromEntries(w.counted),
    });
  }
}
