// The current values of the secrets the config references, for credential values read at every
// use (an injected header, a webhook signature). A `put` reaches every replica without a restart:
// the store's change feed says so at once (PostgreSQL), and a poll of the store's secrets counter
// every second is the fallback (another process on SQLite, a lost notification). Requests never
// read the store: they read this map, and caches of rendered values key on `generation`.
//
// Trade-off: a value used on every request is held decrypted for as long as it is current (as an
// env-substituted credential would be); JS strings cannot be wiped, so only the Buffers it is
// decrypted into are zeroed. A version that fails its integrity check is never used: the previous
// good value stays, and the failure is reported once (the gateway audits it). A deleted secret is
// dropped, and whatever needs it fails closed (the request is refused, nothing is sent unsigned).
import { AirlockError, errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { ChangeFeed } from '../store/ports.js';
import { SealBroken } from './envelope.js';
import { renderTemplate } from './references.js';
import { secretText } from './text.js';
import type { SecretVault } from './vault.js';

export interface LiveSecretsOptions {
  readonly changes: ChangeFeed;
  readonly log: Logger;
  /** A stored version failed its integrity check; called once per version. */
  readonly onTampered: (name: string, version: number) => void;
  readonly pollMs?: number;
}

interface Held {
  readonly version: number;
  readonly value: string;
}

/** Why a referenced secret cannot be used. */
export type Unusable = 'missing' | 'not_text';

export class LiveSecrets {
  private readonly held = new Map<string, Held>();
  private readonly rendered = new Map<string, { readonly generation: number; readonly value: string | undefined }>();
  private readonly reported = new Set<string>();
  private gen = 0;
  private storeVersion = -1;
  private chain: Promise<void> = Promise.resolve();
  private queued = false;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  private constructor(
    private readonly vault: SecretVault,
    private readonly names: readonly string[],
    private readonly opts: LiveSecretsOptions,
  ) {}

  /**
   * Loads every name and starts following changes. Resolves with the names that cannot be used
   * (the caller refuses to start); rejects with SealBroken when a value is tampered with.
   */
  static async start(vault: SecretVault, names: Iterable<string>, opts: LiveSecretsOptions): Promise<{ live: LiveSecrets; unusable: Map<string, Unusable> }> {
    const live = new LiveSecrets(vault, [...new Set(names)], opts);
    live.storeVersion = await vault.store.secretsVersion();
    const unusable = new Map<string, Unusable>();
    for (const name of live.names) {
      const sealed = await vault.store.getSecret(name);
      if (!sealed) {
        unusable.set(name, 'missing');
        continue;
      }
      const value = secretText(await vault.openVersion(sealed));
      if (value === undefined) unusable.set(name, 'not_text');
      else live.held.set(name, { version: sealed.version, value });
    }
    live.follow();
    return { live, unusable };
  }

  /** Changes whenever a value does: a cache of rendered values is stale once it moves. */
  get generation(): number {
    return this.gen;
  }

  /** `template` with its references replaced by the current values; throws when one is unavailable. */
  render(template: string): string {
    let cached = this.rendered.get(template);
    if (cached?.generation !== this.gen) {
      cached = { generation: this.gen, value: renderTemplate(template, (name) => this.held.get(name)?.value) };
      this.rendered.set(template, cached);
    }
    if (cached.value === undefined) throw new AirlockError('internal', 'a secret this credential references is not available (deleted, or not text)');
    return cached.value;
  }

  /** Reads the store again now (what a change notification or a moved counter triggers). */
  refresh(): Promise<void> {
    if (this.queued) return this.chain;
    this.queued = true;
    this.chain = this.chain.then(async () => {
      this.queued = false;
      try {
        await this.reload();
      } catch (err) {
        this.opts.log.warn({ err: errorMessage(err) }, 'secrets could not be refreshed; the current values stay in use');
      }
    });
    return this.chain;
  }

  close(): void {
    clearInterval(this.timer);
    this.unsubscribe?.();
  }

  private follow(): void {
    this.unsubscribe = this.opts.changes.subscribe((topic) => topic === 'secrets' && void this.refresh());
    this.timer = setInterval(() => void this.poll(), this.opts.pollMs ?? 1000);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    try {
      if ((await this.vault.store.secretsVersion()) !== this.storeVersion) await this.refresh();
    } catch {
      // The store is away: the next poll tries again, the current values stay.
    }
  }

  private async reload(): Promise<void> {
    // Read before the values, so a change committed meanwhile moves it again and is seen next poll.
    const storeVersion = await this.vault.store.secretsVersion();
    let changed = false;
    for (const name of this.names) {
      const sealed = await this.vault.store.getSecret(name);
      const held = this.held.get(name);
      if (!sealed) {
        if (held) {
          this.held.delete(name);
          changed = true;
          this.opts.log.error({ secret_name: name }, 'a referenced secret was deleted; what needs it is refused until it is put again');
        }
        continue;
      }
      if (held?.version === sealed.version) continue;
      let value: string | undefined;
      try {
        value = secretText(await this.vault.openVersion(sealed));
      } catch (err) {
        if (!(err instanceof SealBroken)) throw err;
        const key = `${name}:${sealed.version}`;
        if (!this.reported.has(key)) {
          this.reported.add(key);
          this.opts.onTampered(name, sealed.version);
        }
        continue;
      }
      if (value === undefined) {
        this.opts.log.error({ secret_name: name, version: sealed.version }, 'a referenced secret is not UTF-8 text; the previous version stays in use');
        continue;
      }
      this.held.set(name, { version: sealed.version, value });
      changed = true;
      this.opts.log.info({ secret_name: name, version: sealed.version }, 'secret version in use');
    }
    if (changed) this.gen++;
    this.storeVersion = storeVersion;
  }
}
