// The live access map: follows the audit log (records with seq past its cursor, every half
// second, or at once when a decision needs the latest lineage) and folds each record into the
// access graph and the attestation index. Nothing else feeds it, so rebuilding from seq 0 gives
// the same map, and each replica's map converges on the one log.
import type { AuditStore } from '../store/ports.js';
import { AccessGraph, type Access } from './access-graph.js';
import type { DsseEnvelope } from './dsse.js';
import { LruCache } from '../lib/lru-cache.js';

export interface AttestationEntry {
  readonly subject: string;
  readonly predicate: string;
  readonly result: string;
  readonly time: string;
  readonly envelope: DsseEnvelope;
}

interface Line {
  kind?: string;
  time?: string;
  request_id?: string;
  used_by_request_id?: string;
  decision?: string;
  principal?: { type: string; id: string } | null;
  action?: string | null;
  resource?: string | null;
  run_id?: string;
  resource_attributes?: Record<string, unknown>;
  subject?: string;
  predicate?: string;
  result?: string;
  envelope?: DsseEnvelope;
}

const PAGE = 5000;

export class AccessMap {
  graph = new AccessGraph();
  private attestations = new Map<string, AttestationEntry[]>();
  /** Decisions that waited for an approval, by request id: an `approval_used` makes them accesses. */
  private awaiting = new LruCache<string, Access>(10_000);
  private cursor = -1;
  private reading: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: ((record: Record<string, unknown>, seq: number) => void)[] = [];

  constructor(private readonly log: AuditStore) {}

  /** The seq of the last record folded in (-1: none). */
  get position(): number {
    return this.cursor;
  }

  /** Sees every record as it is folded in (alert rules). */
  onRecord(listener: (record: Record<string, unknown>, seq: number) => void): void {
    this.listeners.push(listener);
  }

  follow(intervalMs = 500, onError?: (err: unknown) => void): void {
    this.timer = setInterval(() => void this.catchUp().catch((err: unknown) => onError?.(err)), intervalMs);
    this.timer.unref();
  }

  /** Folds in every record committed so far; concurrent callers share one read. */
  catchUp(): Promise<void> {
    this.reading = this.reading.then(async () => {
      for (;;) {
        const page = await this.log.readAudit(this.cursor, PAGE);
        for (const r of page) {
          this.apply(JSON.parse(r.line) as Line & Record<string, unknown>, r.seq);
          this.cursor = r.seq;
        }
        if (page.length < PAGE) return;
      }
    });
    return this.reading;
  }

  /** Forgets everything and folds the whole log in again. */
  async rebuild(): Promise<void> {
    await this.reading;
    this.graph = new AccessGraph();
    this.attestations = new Map();
    this.awaiting = new LruCache(10_000);
    this.cursor = -1;
    await this.catchUp();
  }

  attestationsFor(subject: string): readonly AttestationEntry[] {
    return this.attestations.get(subject) ?? [];
  }

  /** Each check's latest result for the subject: `{ "privacy-review": "pass" }`. */
  latestResults(subject: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const a of this.attestationsFor(subject)) out[a.predicate] = a.result;
    return out;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private apply(r: Line & Record<string, unknown>, seq: number): void {
    if (r.kind === 'decision' && r.principal && r.action && r.resource && r.time) {
      const access: Access = {
        time: r.time,
        principal: `${r.principal.type}::${JSON.stringify(r.principal.id)}`,
        action: r.action,
        resource: r.resource,
        ...(typeof r.run_id === 'string' ? { run: r.run_id } : {}),
        ...(r.resource_attributes ? { attributes: r.resource_attributes } : {}),
      };
      if (r.decision === 'allow') this.graph.add(access);
      else if (r.decision === 'approval_required' && r.request_id) this.awaiting.set(r.request_id, access);
    } else if (r.kind === 'approval_used' && r.used_by_request_id) {
      const access = this.awaiting.get(r.used_by_request_id);
      if (access) {
        this.awaiting.delete(r.used_by_request_id);
        this.graph.add({ ...access, time: r.time ?? access.time });
      }
    } else if (r.kind === 'attestation' && r.subject && r.predicate && r.result && r.time && r.envelope) {
      const list = this.attestations.get(r.subject) ?? [];
      list.push({ subject: r.subject, predicate: r.predicate, result: r.result, time: r.time, envelope: r.envelope });
      this.attestations.set(r.subject, list);
    }
    for (const l of this.listeners) l(r, seq);
  }
}
