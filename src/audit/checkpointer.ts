// Signs the log's head as a checkpoint every few seconds when it has grown, and once more on
// shutdown, so an auditor always has a recent signed tree to hold the store to.
import { rootHash, signCheckpoint, type SigningKey } from './log/index.js';
import type { AuditStore } from '../store/ports.js';

export interface CheckpointerOptions {
  readonly origin: string;
  readonly key: SigningKey;
  readonly intervalMs?: number;
  readonly now?: () => number;
  readonly onError?: (err: unknown) => void;
}

export class Checkpointer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: AuditStore,
    private readonly options: CheckpointerOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.checkpoint().catch((err: unknown) => this.options.onError?.(err)), this.options.intervalMs ?? 5_000);
    this.timer.unref();
  }

  /** Signs the current head unless the latest checkpoint already covers it. */
  checkpoint(): Promise<void> {
    this.running ??= this.signHead().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async signHead(): Promise<void> {
    const [head, latest] = await Promise.all([this.store.auditHead(), this.store.latestCheckpoint()]);
    if (latest && latest.size >= head.size) return;
    const note = signCheckpoint({ origin: this.options.origin, size: head.size, root: rootHash(head) }, this.options.key.privateKey);
    await this.store.saveCheckpoint(head.size, note, (this.options.now ?? Date.now)());
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.checkpoint();
  }
}
