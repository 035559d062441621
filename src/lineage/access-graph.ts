// The access map: who (principals, runs) touched what (models, datasets, endpoints, tools), built
// from audit records alone, so it is exactly as trustworthy as the log. Edges count allowed
// accesses per hour (a time window is a sum of buckets); a run's edges are lineage: the datasets
// and models it read, the datasets it wrote, the models it registered. Applying the same records
// in the same order always gives the same graph, so a rebuild from the log reproduces it.

export interface GraphNode {
  readonly id: string;
  readonly type: string;
  /** Attributes policies saw on it (a dataset's `sensitivity`); the latest record wins. */
  attributes: Record<string, unknown>;
  first_seen: string;
  last_seen: string;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly action: string;
  count: number;
  first_seen: string;
  last_seen: string;
}

interface EdgeState extends GraphEdge {
  /** Allowed accesses per hour (epoch hour -> count). */
  readonly hours: Map<number, number>;
}

/** One allowed access, as the graph needs it from a decision record. */
export interface Access {
  readonly time: string;
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly run?: string;
  readonly attributes?: Record<string, unknown>;
}

export interface GraphFilter {
  /** ISO time: only accesses at or after it count. */
  readonly since?: string;
  /** `Type::"id"`: only edges from it (and from the runs it ran). */
  readonly principal?: string;
  /** Only edges to nodes of this type (`Model`, `Dataset`, ...). */
  readonly type?: string;
}

const HOUR_MS = 3_600_000;
export const typeOf = (id: string): string => id.slice(0, Math.max(0, id.indexOf('::')));
export const runNode = (run: string): string => `Run::${JSON.stringify(run)}`;

export class AccessGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly edges = new Map<string, EdgeState>();
  /** to -> edges into it, from -> edges out of it: lineage walks both ways. */
  private readonly into = new Map<string, Set<EdgeState>>();
  private readonly outOf = new Map<string, Set<EdgeState>>();

  add(a: Access): void {
    this.node(a.principal, a.time);
    this.node(a.resource, a.time, a.attributes);
    if (a.run) {
      const run = runNode(a.run);
      this.node(run, a.time);
      this.edge(a.principal, run, 'run', a.time);
      this.edge(run, a.resource, a.action, a.time);
    } else {
      this.edge(a.principal, a.resource, a.action, a.time);
    }
  }

  /** Adds an edge that is not an access by a principal (a run registering a model). */
  link(from: string, to: string, action: string, time: string): void {
    this.node(from, time);
    this.node(to, time);
    this.edge(from, to, action, time);
  }

  getNode(id: string): GraphNode | undefined {
    return this.nodes.get(id);
  }

  edgesInto(id: string): ReadonlySet<GraphEdge> {
    return this.into.get(id) ?? EMPTY;
  }

  edgesOutOf(id: string): ReadonlySet<GraphEdge> {
    return this.outOf.get(id) ?? EMPTY;
  }

  /** The map, or the part of it a filter asks for; edges with no access in the window are left out. */
  view(filter: GraphFilter = {}): { nodes: GraphNode[]; edges: GraphEdge[] } {
    const sinceHour = filter.since ? Math.floor(Date.parse(filter.since) / HOUR_MS) : undefined;
    const runsOf = filter.principal ? new Set([...this.edgesOutOf(filter.principal)].filter((e) => e.action === 'run').map((e) => e.to)) : undefined;
    const edges: GraphEdge[] = [];
    for (const e of this.edges.values()) {
      if (filter.principal && e.from !== filter.principal && !runsOf!.has(e.from)) continue;
      if (filter.type && typeOf(e.to) !== filter.type && e.action !== 'run') continue;
      let count = e.count;
      if (sinceHour !== undefined) {
        count = 0;
        for (const [hour, n] of e.hours) if (hour >= sinceHour) count += n;
        if (!count) continue;
      }
      edges.push({ from: e.from, to: e.to, action: e.action, count, first_seen: e.first_seen, last_seen: e.last_seen });
    }
    const ids = new Set(edges.flatMap((e) => [e.from, e.to]));
    return { nodes: [...ids].map((id) => this.nodes.get(id)!), edges };
  }

  get size(): { nodes: number; edges: number } {
    return { nodes: this.nodes.size, edges: this.edges.size };
  }

  private node(id: string, time: string, attributes?: Record<string, unknown>): void {
    const n = this.nodes.get(id);
    if (!n) {
      this.nodes.set(id, { id, type: typeOf(id), attributes: attributes ?? {}, first_seen: time, last_seen: time });
      return;
    }
    if (time > n.last_seen) n.last_seen = time;
    if (attributes) n.attributes = attributes;
  }

  private edge(from: string, to: string, action: string, time: string): void {
    const key = `${from}\n${to}\n${action}`;
    let e = this.edges.get(key);
    if (!e) {
      e = { from, to, action, count: 0, first_seen: time, last_seen: time, hours: new Map() };
      this.edges.set(key, e);
      setOf(this.into, to).add(e);
      setOf(this.outOf, from).add(e);
    }
    e.count++;
    if (time > e.last_seen) e.last_seen = time;
    const hour = Math.floor(Date.parse(time) / HOUR_MS);
    e.hours.set(hour, (e.hours.get(hour) ?? 0) + 1);
  }
}

const EMPTY: ReadonlySet<GraphEdge> = new Set();

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let s = map.get(key);
  if (!s) map.set(key, (s = new Set()));
  return s;
}
