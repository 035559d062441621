// The bundle a gateway serves, and its replacement while running. A reload builds the new engine
// whole and swaps one reference, so a request decides on one version from start to end; an invalid
// bundle is refused (logged with file and position, counted, audited) and the last good one keeps
// serving. Reloads come from file changes in the bundle directory, SIGHUP, and a one-second check
// of the files' sizes and times (a missed watch event, a bundle synced onto every replica).
import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { bundleSummary, createEngine, loadBundle, type BundleSummary, type PolicyEngine } from '../decide/index.js';
import { AirlockError } from '../lib/errors.js';
import { diffBundles } from './bundle-diff.js';

export type ReloadResult =
  | { readonly outcome: 'loaded'; readonly version: string }
  | { readonly outcome: 'unchanged'; readonly version: string }
  | { readonly outcome: 'refused'; readonly problems: readonly string[] };

export interface LivePolicyOptions {
  readonly dir: string;
  /** Written for every load and every refusal (an audit record). */
  readonly record: (entry: Record<string, unknown> & { kind: string }) => Promise<unknown>;
  readonly onResult?: (result: ReloadResult) => void;
  readonly pollMs?: number;
}

export class LivePolicy {
  private current!: PolicyEngine;
  private summary: BundleSummary | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stamp = '';
  private reloading: Promise<ReloadResult> | undefined;
  private again = false;

  private constructor(private readonly options: LivePolicyOptions) {}

  /** Loads the bundle; an invalid one at start is an error (the gateway does not start on it). */
  static async start(options: LivePolicyOptions): Promise<LivePolicy> {
    const live = new LivePolicy(options);
    const result = await live.reload();
    if (result.outcome === 'refused') {
      throw new AirlockError('policy_invalid', `policy bundle ${options.dir} is invalid`, { problems: result.problems });
    }
    return live;
  }

  readonly engine = (): PolicyEngine => this.current;

  get version(): string {
    return this.current.version;
  }

  /** Reloads now; concurrent calls share one reload (and one more runs if files changed meanwhile). */
  reload(): Promise<ReloadResult> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = this.load().finally(() => {
      this.reloading = undefined;
      if (this.again) {
        this.again = false;
        void this.reload();
      }
    });
    return this.reloading;
  }

  private async load(): Promise<ReloadResult> {
    this.stamp = await this.filesStamp().catch(() => '');
    let result: ReloadResult;
    try {
      const bundle = await loadBundle(this.options.dir);
      if (this.current?.version === bundle.version) {
        result = { outcome: 'unchanged', version: bundle.version };
      } else {
        const next = createEngine(bundle);
        const summary = bundleSummary(bundle);
        const previous = this.current;
        await this.options.record({
          kind: 'policy_load',
          time: new Date().toISOString(),
          version: bundle.version,
          previous_version: previous?.version ?? null,
          dir: this.options.dir,
          policies: bundle.policies.length,
          ...diffBundles(this.summary, summary),
        });
        this.current = next;
        this.summary = summary;
        // Decisions are synchronous, so no request is still inside the old engine.
        previous?.dispose();
        result = { outcome: 'loaded', version: bundle.version };
      }
    } catch (err) {
      const problems = err instanceof AirlockError && Array.isArray(err.details.problems) ? (err.details.problems as string[]) : [String(err)];
      await this.options
        .record({ kind: 'policy_load_refused', time: new Date().toISOString(), dir: this.options.dir, serving_version: this.current?.version ?? null, problems })
        .catch(() => undefined);
      result = { outcome: 'refused', problems };
    }
    this.options.onResult?.(result);
    return result;
  }

  /** Watches the directory and polls its files' sizes and times; reloads on any change. */
  watch(): void {
    let debounce: NodeJS.Timeout | undefined;
    const soon = () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => void this.reload(), 100);
    };
    try {
      this.watcher = watch(this.options.dir, { recursive: true }, soon);
      this.watcher.on('error', () => undefined);
    } catch {
      // Recursive watching is not available everywhere; the poll below still notices changes.
    }
    this.timer = setInterval(() => {
      void this.filesStamp()
        .then((s) => s !== this.stamp && soon())
        .catch(() => undefined);
    }, this.options.pollMs ?? 1000);
    this.timer.unref();
  }

  private async filesStamp(): Promise<string> {
    const entries = await readdir(this.options.dir, { recursive: true, withFileTypes: true });
    const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? e.path, e.name)).sort();
    const stats = await Promise.all(
      files.map(async (f) => {
        const st = await stat(f);
        return `${f}:${st.size}:${st.mtimeMs}`;
      }),
    );
    return stats.join('|');
  }

  close(): void {
    this.watcher?.close();
    clearInterval(this.timer);
  }
}
