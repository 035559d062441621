// Tool pinning: a server's tool definitions are trusted as first seen (or as `pins.json` in the
// policy bundle says), and a definition that differs later (a changed description that tells the
// agent to do something else, a widened schema) is not: the tool is hidden from tools/list and its
// calls are refused with `tool_changed` until an approver accepts the new digest. Each change is
// an audit record and an alert through the approval channels, once however often it is seen.
//
// The pins of a server are read from the store at most once a second (one query), so a list of
// 200 tools and every call cost map lookups; an acceptance on another replica is felt within that
// second. A store that cannot be read leaves the last snapshot in use, and with none at all every
// check fails (nothing is trusted that was not read).
import type { Alert } from '../../../approvals/channels/index.js';
import type { BundlePins } from '../../../decide/index.js';
import { AirlockError, errorMessage } from '../../../lib/errors.js';
import type { Logger } from '../../../lib/logger.js';
import type { AuditEntry, ToolPin, ToolPinStore } from '../../../store/ports.js';
import { pinnedPart, toolDigest, type ToolDefinition } from './tool-digest.js';

export type PinCheck =
  | { readonly trusted: true; readonly digest: string | null }
  | { readonly trusted: false; readonly digest: string | null; readonly reason: string };

export interface ToolPinsDeps {
  readonly store: ToolPinStore;
  readonly bundlePins: () => BundlePins;
  /** Queues an audit record. */
  readonly record: (entry: AuditEntry) => void;
  readonly alert: (alert: Alert) => void;
  readonly log: Logger;
  readonly now?: () => number;
  readonly refreshMs?: number;
}

interface Snapshot {
  readonly pins: Map<string, ToolPin>;
  readonly loadedAt: number;
}

export class ToolPins {
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly loading = new Map<string, Promise<Snapshot>>();
  private readonly now: () => number;

  constructor(private readonly deps: ToolPinsDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Digests the tools a server lists, records what is new or changed; tells for each name whether it is trusted. */
  async review(resource: string, tools: readonly ToolDefinition[]): Promise<Map<string, PinCheck>> {
    const snap = await this.snapshot(resource);
    const bundle = this.deps.bundlePins()[resource];
    const out = new Map<string, PinCheck>();
    for (const tool of tools) {
      const digest = toolDigest(tool);
      const row = snap.pins.get(tool.name);
      const pinned = bundle?.[tool.name];
      const trusted = digest === pinned || (row ? row.digest === digest : bundle === undefined);
      if (trusted && !row?.pending_digest && row) {
        out.set(tool.name, { trusted: true, digest });
        continue;
      }
      out.set(tool.name, await this.settle(resource, tool, digest, trusted, row, pinned ?? null, snap));
    }
    return out;
  }

  /** Whether a call of `tool` may go ahead as far as pinning goes. */
  async check(resource: string, tool: string): Promise<PinCheck> {
    const row = (await this.snapshot(resource)).pins.get(tool);
    const bundle = this.deps.bundlePins()[resource];
    if (row?.pending_digest) return { trusted: false, digest: row.digest, reason: changedReason(tool) };
    if (!row && bundle !== undefined && bundle[tool] === undefined) {
      return { trusted: false, digest: null, reason: `tool "${tool}" is not in the bundle's pins.json; accept it with airlock mcp pins accept` };
    }
    return { trusted: true, digest: row?.digest ?? bundle?.[tool] ?? null };
  }

  list(resource: string | undefined): Promise<ToolPin[]> {
    return this.deps.store.listToolPins(resource);
  }

  /** Accepts the pending definition (exactly `digest`, when given); throws not_found or conflict. */
  async accept(resource: string, tool: string, digest: string | undefined, by: string): Promise<ToolPin> {
    const row = (await this.deps.store.listToolPins(resource)).find((p) => p.tool === tool);
    if (!row) throw new AirlockError('not_found', `no pin for tool "${tool}" of "${resource}"`);
    if (!row.pending_digest) throw new AirlockError('conflict', `tool "${tool}" of "${resource}" has no changed definition to accept`);
    const want = digest ?? row.pending_digest;
    const accepted = await this.deps.store.acceptToolPin(resource, tool, want, by, this.now());
    if (!accepted) throw new AirlockError('conflict', `the pending definition of "${tool}" is ${row.pending_digest}, not ${want}: review it again`);
    this.audit('tool_pin_accepted', resource, tool, { digest: want, previous_digest: row.digest, accepted_by: by });
    this.snapshots.delete(resource);
    return accepted;
  }

  /** The slow path of review: a first sight, a change, or a change that went away. */
  private async settle(resource: string, tool: ToolDefinition, digest: string, trusted: boolean, row: ToolPin | undefined, pinned: string | null, snap: Snapshot): Promise<PinCheck> {
    const store = this.deps.store;
    const now = this.now();
    let current = row;
    if (!current) {
      current = await store.insertToolPin({
        resource, tool: tool.name, digest: trusted ? digest : pinned, pending_digest: null, pending_definition: null,
        first_seen_at: new Date(now).toISOString(), changed_at: null, accepted_at: null, accepted_by: null,
      });
      if (current.digest === digest) this.audit('tool_pinned', resource, tool.name, { digest, source: pinned === digest ? 'pins.json' : 'first_seen' });
    }
    const isTrusted = digest === pinned || current.digest === digest;
    if (isTrusted && current.pending_digest) {
      current = (await store.clearToolPinChange(resource, tool.name)) ?? current;
      this.audit('tool_pin_restored', resource, tool.name, { digest });
    } else if (!isTrusted && current.pending_digest !== digest) {
      const marked = await store.markToolPinChanged(resource, tool.name, digest, pinnedPart(tool), now);
      if (marked?.changed) this.changed(resource, tool, current.digest, digest);
      current = marked?.pin ?? current;
    }
    snap.pins.set(tool.name, current);
    return isTrusted ? { trusted: true, digest } : { trusted: false, digest: current.digest, reason: changedReason(tool.name) };
  }

  private changed(resource: string, tool: ToolDefinition, previous: string | null, digest: string): void {
    this.audit('tool_pin_changed', resource, tool.name, { previous_digest: previous, digest });
    const description = typeof tool.description === 'string' ? tool.description : JSON.stringify(tool.description ?? '');
    this.deps.alert({
      event: 'alert.tool_changed',
      title: `MCP tool "${tool.name}" of "${resource}" changed its definition`,
      facts: [
        { label: 'Server', value: resource },
        { label: 'Tool', value: tool.name },
        { label: 'Description now', value: description },
        { label: 'Trusted digest', value: previous ?? 'none' },
        { label: 'New digest', value: digest },
        { label: 'To trust it', value: `airlock mcp pins accept ${resource} ${tool.name} --digest ${digest}` },
      ],
      data: { resource, tool: tool.name, previous_digest: previous, digest, definition: pinnedPart(tool) },
    });
  }

  private audit(kind: string, resource: string, tool: string, fields: Record<string, unknown>): void {
    this.deps.record({ kind, time: new Date(this.now()).toISOString(), resource_name: resource, tool, ...fields });
  }

  private snapshot(resource: string): Promise<Snapshot> {
    const snap = this.snapshots.get(resource);
    if (snap && this.now() - snap.loadedAt < (this.deps.refreshMs ?? 1000)) return Promise.resolve(snap);
    let loading = this.loading.get(resource);
    if (loading) return loading;
    loading = this.deps.store
      .listToolPins(resource)
      .then((pins): Snapshot => {
        const fresh = { pins: new Map(pins.map((p) => [p.tool, p])), loadedAt: this.now() };
        this.snapshots.set(resource, fresh);
        return fresh;
      })
      .catch((err: unknown) => {
        if (!snap) throw new AirlockError('store_unavailable', 'tool pins could not be read');
        this.deps.log.warn({ err: errorMessage(err), resource }, 'tool pins could not be re-read; the last ones stay in use');
        return snap;
      })
      .finally(() => this.loading.delete(resource));
    this.loading.set(resource, loading);
    return loading;
  }
}

function changedReason(tool: string): string {
  return `the definition of tool "${tool}" changed since it was trusted; an approver must accept it (airlock mcp pins accept)`;
}
