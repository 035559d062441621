// Requests held while their approval is pending wait here for it to be decided. A vote in this
// process wakes them at once; a periodic re-read catches decisions made elsewhere (another
// process sharing the store), so a missed wake-up costs at most one poll interval.
import { EventEmitter } from 'node:events';
import type { Approval } from './types.js';

export class ApprovalWaiters {
  private readonly events = new EventEmitter();

  constructor(
    private readonly read: (id: string) => Promise<Approval | undefined>,
    private readonly pollMs = 500,
  ) {
    this.events.setMaxListeners(0);
  }

  /** Re-reads an approval another process changed, and wakes its waiters. */
  async reread(id: string): Promise<void> {
    const approval = await this.read(id);
    if (approval) this.changed(approval);
  }

  /** Wakes the requests waiting on this approval. */
  changed(approval: Approval): void {
    this.events.emit(approval.id, approval);
  }

  /**
   * Resolves with the approval once it is no longer pending, or undefined after `timeoutMs` or when
   * `signal` aborts (the client went away: it must not spend an approval it can no longer use).
   */
  wait(id: string, timeoutMs: number, signal?: AbortSignal): Promise<Approval | undefined> {
    return new Promise((resolve) => {
      const finish = (a: Approval | undefined) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.events.off(id, onChange);
        signal?.removeEventListener('abort', onAbort);
        resolve(a);
      };
      const onAbort = () => finish(undefined);
      signal?.addEventListener('abort', onAbort);
      const onChange = (a: Approval) => a.status !== 'pending' && finish(a);
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      const poll = setInterval(() => {
        void this.read(id).then((a) => a && onChange(a), () => undefined);
      }, this.pollMs);
      this.events.on(id, onChange);
    });
  }
}
