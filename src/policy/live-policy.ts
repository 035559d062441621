// The bundle a gateway serves, and its replacement while running. A reload builds the new engine
// whole and swaps one reference, so a request decides on one version from start to end; an invalid
// bundle is refused (logged with file and position, counted, audited) and the last good one keeps
// serving.
//
// Where a bundle comes from: the policy directory (file changes, SIGHUP, a one-second check of the
// files' sizes and times in case a watch event is missed) and, with replicas, the store's active
// bundle. A change of files on any replica is activated in the store and announced; every other
// replica follows within a second (change feed, or its one-second poll). A replica that starts
// with files the store has already moved past follows the store instead of rolling it back; a
// file change made while running always wins, so reverting a bundle in git works.
import { watch, type FSWatcher } from 'node:fs';
import { hostname } from 'node:os';
import { bundleFromFiles, bundleSummary, createEngine, type BundleSummary, type PolicyBundle, type PolicyEngine } from '../decide/index.js';
import { AirlockError } from '../lib/errors.js';
import type { BundleStore, ChangeFeed } from '../store/ports.js';
import { diffBundles } from './bundle-diff.js';
import { filesStamp, readBundleDir } from './bundle-dir.js';

export type ReloadResult =
  | { readonly outcome: 'loaded'; readonly version: string }
  | { readonly outcome: 'unchanged'; readonly version: string }
  | { readonly outcome: 'refused'; readonly problems: readonly string[] }
  /** A valid bundle that could not be put into service (the store or the audit log failed): retried. */
  | { readonly outcome: 'failed'; readonly version: string; readonly error: string };

export interface LivePolicyOptions {
  readonly dir: string;
  /** Written for every load and every refusal (an audit record). */
  readonly record: (entry: Record<string, unknown> & { kind: string }) => Promise<unknown>;
  readonly onResult?: (result: ReloadResult) => void;
  /** Shared with the other replicas; without it the directory alone decides. */
  readonly shared?: { readonly bundles: BundleStore; readonly changes: ChangeFeed };
  readonly pollMs?: number;
}

export class LivePolicy {
  private current: PolicyEngine | undefined;
  private currentBundle: PolicyBundle | undefined;
  private summary: BundleSummary | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private stamp = '';
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly options: LivePolicyOptions) {}

  /** Loads the bundle; an invalid one at start is an error (the gateway does not start on it). */
  static async start(options: LivePolicyOptions): Promise<LivePolicy> {
    const live = new LivePolicy(options);
    const result = await live.fromDir(true);
    if (result.outcome === 'refused') {
      throw new AirlockError('policy_invalid', `policy bundle ${options.dir} is invalid`, { problems: result.problems });
    }
    return live;
  }

  readonly engine = (): PolicyEngine => this.current!;
  /** The bundle the engine was built from (its files beyond the policies: pins.json). */
  readonly bundle = (): PolicyBundle => this.currentBundle!;

  /** Reloads from the directory now (SIGHUP); the files win over the store. */
  reload(): Promise<ReloadResult> {
    return this.fromDir(false);
  }

  /** Reloads run one at a time, in order. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The files' stamp is recorded only once their bundle is settled (served, or refused as invalid):
   * when putting a valid bundle into service fails (the store or the audit log is down), the stamp
   * stays old and the next check of the files tries again, so a new `forbid` is never dropped.
   */
  private fromDir(starting: boolean): Promise<ReloadResult> {
    return this.serial(async () => {
      const stamp = await filesStamp(this.options.dir).catch(() => '');
      let files: Record<string, string>;
      let bundle: PolicyBundle;
      try {
        files = await readBundleDir(this.options.dir);
        bundle = bundleFromFiles(files, this.options.dir);
      } catch (err) {
        this.stamp = stamp;
        return this.refused(err);
      }
      try {
        const result = await this.serve(bundle, files, starting);
        this.stamp = stamp;
        return result;
      } catch (err) {
        if (starting) throw err;
        return this.failed(bundle.version, err);
      }
    });
  }

  private async serve(bundle: PolicyBundle, files: Record<string, string>, starting: boolean): Promise<ReloadResult> {
    const shared = this.options.shared;
    if (shared && starting) {
      const [active, known] = await Promise.all([shared.bundles.activeBundleVersion(), shared.bundles.knownBundleVersion(bundle.version)]);
      if (active && known && active !== bundle.version) return this.swapFromStore();
    }
    if (bundle.version === this.current?.version) return this.done({ outcome: 'unchanged', version: bundle.version });
    if (shared) {
      await shared.bundles.activateBundle({ version: bundle.version, files, source: `${hostname()}:${process.pid} ${this.options.dir}` }, Date.now());
      await shared.changes.publish('policy', bundle.version);
    }
    return this.swap(bundle, 'dir');
  }

  private async failed(version: string, err: unknown): Promise<ReloadResult> {
    const error = err instanceof Error ? err.message : String(err);
    await this.options
      .record({ kind: 'policy_load_failed', time: new Date().toISOString(), dir: this.options.dir, version, serving_version: this.current?.version ?? null, error })
      .catch(() => undefined);
    return this.done({ outcome: 'failed', version, error });
  }

  /** Follows the store's active bundle if it differs from the one served. */
  private fromStore(): Promise<ReloadResult | undefined> {
    return this.serial(async () => {
      const active = await this.options.shared?.bundles.activeBundleVersion();
      if (!active || active === this.current?.version) return undefined;
      return this.swapFromStore();
    });
  }

  private async swapFromStore(): Promise<ReloadResult> {
    const stored = await this.options.shared!.bundles.activeBundle();
    if (!stored) return this.refused(new Error('the store has no active bundle'));
    if (stored.version === this.current?.version) return this.done({ outcome: 'unchanged', version: stored.version });
    try {
      return await this.swap(bundleFromFiles(stored.files, `store:${stored.version.slice(0, 12)}`), 'store');
    } catch (err) {
      return this.refused(err);
    }
  }

  private async swap(bundle: PolicyBundle, source: 'dir' | 'store'): Promise<ReloadResult> {
    const next = createEngine(bundle);
    const summary = bundleSummary(bundle);
    const previous = this.current;
    await this.options.record({
      kind: 'policy_load',
      time: new Date().toISOString(),
      version: bundle.version,
      previous_version: previous?.version ?? null,
      source,
      dir: this.options.dir,
      policies: bundle.policies.length,
      ...diffBundles(this.summary, summary),
    });
    this.current = next;
    this.currentBundle = bundle;
    this.summary = summary;
    // Decisions are synchronous, so no request is still inside the old engine.
    previous?.dispose();
    return this.done({ outcome: 'loaded', version: bundle.version });
  }

  private async refused(err: unknown): Promise<ReloadResult> {
    const problems = err instanceof AirlockError && Array.isArray(err.details.problems) ? (err.details.problems as string[]) : [String(err)];
    await this.options
      .record({ kind: 'policy_load_refused', time: new Date().toISOString(), dir: this.options.dir, serving_version: this.current?.version ?? null, problems })
      .catch(() => undefined);
    return this.done({ outcome: 'refused', problems });
  }

  private done(result: ReloadResult): ReloadResult {
    this.options.onResult?.(result);
    return result;
  }

  /** Watches the directory (and the store's active bundle); reloads on any change. */
  watch(): void {
    // Watch events come in bursts (an editor writes several times): the first arms a short timer,
    // later ones in the same burst ride on it.
    let debounce: NodeJS.Timeout | undefined;
    const soon = () => {
      debounce ??= setTimeout(() => {
        debounce = undefined;
        void this.fromDir(false);
      }, 100);
    };
    try {
      this.watcher = watch(this.options.dir, { recursive: true }, soon);
      this.watcher.on('error', () => undefined);
    } catch {
      // Recursive watching is not available everywhere; the poll below still notices changes.
    }
    this.unsubscribe = this.options.shared?.changes.subscribe((topic) => topic === 'policy' && void this.fromStore().catch(() => undefined));
    this.timer = setInterval(() => {
      void filesStamp(this.options.dir)
        .then(async (s) => {
          if (s !== this.stamp) soon();
          else await this.fromStore();
        })
        .catch(() => undefined);
    }, this.options.pollMs ?? 1000);
    this.timer.unref();
  }

  close(): void {
    this.watcher?.close();
    this.unsubscribe?.();
    clearInterval(this.timer);
  }
}
