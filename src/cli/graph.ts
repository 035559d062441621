// `airlock graph`: the access map (or one model's lineage) as text or Graphviz DOT.
import type { Command } from 'commander';
import type { GraphEdge, GraphNode } from '../lineage/access-graph.js';
import { apiAction, callApi, withServerOption, type ServerOptions } from './api-client.js';

interface GraphOptions extends ServerOptions {
  since?: string;
  principal?: string;
  type?: string;
  model?: string;
  format: string;
}

interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function registerGraphCommand(program: Command): void {
  withServerOption(program.command('graph'))
    .description('who accessed which model and dataset, or a model\'s lineage (token from AIRLOCK_TOKEN)')
    .option('--since <time>', 'an ISO time or a duration back from now, e.g. 24h')
    .option('--principal <entity>', 'only this principal, e.g. User::"alice"')
    .option('--type <type>', 'only edges to this resource type, e.g. Dataset')
    .option('--model <entity>', "this model's lineage instead of the map")
    .option('--format <format>', 'text | dot', 'text')
    .action(
      apiAction(async (opts: GraphOptions) => {
        const q = new URLSearchParams();
        if (opts.model) q.set('model', opts.model);
        for (const k of ['since', 'principal', 'type'] as const) if (opts[k]) q.set(k, opts[k]!);
        const graph = await callApi<Graph>(opts, 'GET', `/api/v1/graph${opts.model ? '/lineage' : ''}?${q}`);
        process.stdout.write(opts.format === 'dot' ? toDot(graph) : toText(graph));
      }),
    );
}

export function toText(g: Graph): string {
  if (!g.edges.length) return 'no accesses\n';
  return `${g.edges.map((e) => `${e.from} -[${e.action} x${e.count}]-> ${e.to}   (${e.first_seen} .. ${e.last_seen})`).join('\n')}\n`;
}

const SHAPES: Readonly<Record<string, string>> = { User: 'ellipse', Agent: 'octagon', Run: 'diamond', Model: 'box3d', Dataset: 'cylinder' };
const q = (s: string) => JSON.stringify(s);

export function toDot(g: Graph): string {
  const lines = ['digraph airlock {', '  rankdir=LR;'];
  for (const n of g.nodes) lines.push(`  ${q(n.id)} [shape=${SHAPES[n.type] ?? 'box'}${typeof n.attributes?.sensitivity === 'string' ? `, xlabel=${q(n.attributes.sensitivity)}` : ''}];`);
  for (const e of g.edges) lines.push(`  ${q(e.from)} -> ${q(e.to)} [label=${q(`${e.action} x${e.count}`)}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
