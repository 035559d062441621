// Lineage read off the access graph: what a model came from. A model was registered by runs; a run
// read datasets and used models; a dataset was written by runs; and so on upstream, each node once
// (the log can hold cycles: a model registered from its own output). The answer feeds the policy
// context of `model.register` and `model.deploy` and the lineage API.
import { type AccessGraph, type GraphEdge, typeOf } from './access-graph.js';

/** Edges that make their target depend on their source, read backwards from a node. */
const UPSTREAM: Readonly<Record<string, (e: GraphEdge) => boolean>> = {
  Model: (e) => e.action === 'model.register' && typeOf(e.from) === 'Run',
  Dataset: (e) => e.action === 'dataset.write' && typeOf(e.from) === 'Run',
};
const RUN_INPUTS = new Set(['dataset.read', 'model.invoke']);

/** The most dataset ids a lineage lists (a run may read thousands of objects): sensitivities are complete regardless. */
export const MAX_LINEAGE_DATASETS = 1000;

export interface Lineage {
  readonly runs: string[];
  readonly datasets: string[];
  readonly models: string[];
  readonly sensitivities: string[];
  readonly edges: GraphEdge[];
}

export function lineageOf(graph: AccessGraph, start: string): Lineage {
  const seen = new Set<string>([start]);
  const queue = [start];
  const edges: GraphEdge[] = [];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const e of upstreamEdges(graph, id)) {
      edges.push(e);
      const next = e.from === id ? e.to : e.from;
      if (!seen.has(next)) (seen.add(next), queue.push(next));
    }
  }
  seen.delete(start);
  const of = (type: string) => [...seen].filter((id) => typeOf(id) === type).sort();
  const datasets = of('Dataset');
  const sensitivities = new Set<string>();
  for (const d of datasets) {
    const s = graph.getNode(d)?.attributes.sensitivity;
    if (typeof s === 'string') sensitivities.add(s);
  }
  return { runs: of('Run'), datasets, models: of('Model'), sensitivities: [...sensitivities].sort(), edges };
}

/** True when `model` is upstream of `run`: registering it from that run would close a cycle. */
export function wouldCycle(graph: AccessGraph, run: string, model: string): boolean {
  const seen = new Set<string>([run]);
  const queue = [run];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const e of upstreamEdges(graph, id)) {
      const next = e.from === id ? e.to : e.from;
      if (next === model) return true;
      if (!seen.has(next)) (seen.add(next), queue.push(next));
    }
  }
  return false;
}

function* upstreamEdges(graph: AccessGraph, id: string): Generator<GraphEdge> {
  const type = typeOf(id);
  if (type === 'Run') {
    for (const e of graph.edgesOutOf(id)) if (RUN_INPUTS.has(e.action)) yield e;
    return;
  }
  const rule = UPSTREAM[type];
  if (!rule) return;
  for (const e of graph.edgesInto(id)) if (rule(e)) yield e;
}
