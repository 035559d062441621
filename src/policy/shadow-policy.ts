// Policy lifecycle, shadow mode: the candidate bundle of `policy.shadow_dir`, loaded and
// reloaded like the live one (LivePolicy, without the store: a shadow is this replica's own
// experiment). Unlike the live bundle it can never stop the gateway: an invalid or missing
// shadow bundle is logged and audited, and turns shadowing off until its files change into a
// valid bundle again. Loads are audited as `shadow_policy_load` so that no tool reading
// `policy_load` records mistakes the candidate for the bundle being served.
import type { PolicyEngine } from '../decide/index.js';
import type { Logger } from '../lib/logger.js';
import { filesStamp } from './bundle-dir.js';
import { LivePolicy, type ReloadResult } from './live-policy.js';

export interface ShadowPolicyOptions {
  readonly dir: string;
  readonly record: (entry: Record<string, unknown> & { kind: string }) => Promise<unknown>;
  readonly log: Logger;
  /** The version now compared, or undefined when shadowing is off. */
  readonly onChange?: (version: string | undefined) => void;
  readonly pollMs?: number;
}

export class ShadowPolicy {
  private live: LivePolicy | undefined;
  private active = false;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(private readonly options: ShadowPolicyOptions) {}

  /** Never throws: a bad shadow bundle leaves shadowing off and is tried again when it changes. */
  static async start(options: ShadowPolicyOptions): Promise<ShadowPolicy> {
    const shadow = new ShadowPolicy(options);
    const stamp = await filesStamp(options.dir).catch(() => '');
    if (!(await shadow.tryStart())) shadow.retryOnChange(stamp);
    return shadow;
  }

  readonly engine = (): PolicyEngine | undefined => (this.active ? this.live?.engine() : undefined);

  close(): void {
    this.closed = true;
    clearInterval(this.retry);
    this.live?.close();
  }

  private async tryStart(): Promise<boolean> {
    const { dir, record } = this.options;
    try {
      const live = await LivePolicy.start({
        dir,
        record: (entry) => record({ ...entry, kind: `shadow_${entry.kind}` }),
        onResult: (r) => this.onResult(r),
        ...(this.options.pollMs !== undefined ? { pollMs: this.options.pollMs } : {}),
      });
      if (this.closed) {
        live.close();
        return true;
      }
      this.live = live;
      live.watch();
      return true;
    } catch {
      return false; // already reported through onResult
    }
  }

  /** Before the first valid bundle there is no LivePolicy to watch: poll the files' stamp. */
  private retryOnChange(stamp: string): void {
    let busy = false;
    const check = async () => {
      if (busy || this.closed) return;
      const now = await filesStamp(this.options.dir).catch(() => '');
      if (busy || now === stamp || this.closed) return;
      busy = true;
      stamp = now;
      if (await this.tryStart()) clearInterval(this.retry);
      busy = false;
    };
    this.retry = setInterval(() => void check(), this.options.pollMs ?? 1000);
    this.retry.unref();
  }

  private onResult(r: ReloadResult): void {
    const { log, dir } = this.options;
    if (r.outcome === 'refused') {
      this.active = false;
      log.error({ dir, problems: r.problems }, 'shadow policy bundle refused; shadow mode is off until it is fixed');
      this.options.onChange?.(undefined);
      return;
    }
    if (r.outcome === 'unchanged' && this.active) return;
    this.active = true;
    log.info({ dir, version: r.version }, 'shadow policy bundle loaded; comparing decisions');
    this.options.onChange?.(r.version);
  }
}
