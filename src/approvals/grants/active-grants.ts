// The memberships granted just in time, kept in memory for the identify stage: reloaded when the
// store's grants version moves (checked every 500 ms, and at once after a change made here), and
// checked against the clock at every use, so an expired grant stops counting on the dot.
import type { Principal } from '../../model/principal.js';
import type { ChangeFeed, Grant, GrantStore } from '../../store/ports.js';

export class ActiveGrants {
  private byPrincipal = new Map<string, Grant[]>();
  private version: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: GrantStore,
    private readonly now: () => number = Date.now,
    private readonly changes?: ChangeFeed,
    private readonly pollMs = 500,
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = this.changes?.subscribe((topic) => topic === 'grants' && void this.refresh().catch(() => undefined));
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.pollMs);
    this.timer.unref();
    await this.refresh();
  }

  refresh(): Promise<void> {
    this.pending ??= this.reload().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async reload(): Promise<void> {
    const version = await this.store.grantsVersion();
    if (version === this.version) return;
    const map = new Map<string, Grant[]>();
    for (const g of await this.store.listActiveGrants(this.now())) {
      const key = `${g.principal.type}::${g.principal.id}`;
      map.set(key, [...(map.get(key) ?? []), g]);
    }
    this.byPrincipal = map;
    this.version = version;
  }

  /** The principal with the groups its live grants add. */
  withGrants(p: Principal): Principal {
    // Usually there are none: skip building and hashing a key on every request.
    if (this.byPrincipal.size === 0) return p;
    if (p.onBehalfOf) {
      const subject = this.withGrants(p.onBehalfOf);
      if (subject !== p.onBehalfOf) p = { ...p, onBehalfOf: subject };
    }
    const grants = this.byPrincipal.get(`${p.type}::${p.id}`);
    if (!grants) return p;
    const now = this.now();
    const extra = grants.filter((g) => g.expires_at && Date.parse(g.expires_at) > now).map((g) => g.group);
    const groups = [...new Set([...p.groups, ...extra])];
    return groups.length === p.groups.length ? p : { ...p, groups };
  }

  close(): void {
    this.unsubscribe?.();
    clearInterval(this.timer);
  }
}
