// What a policy sees of a model's history when it is registered or deployed: `context.lineage`
// (the datasets upstream of the model and their sensitivities) and `context.attestations` (each
// check's latest result), read from the access map after it has caught up with the log, so a
// decision never misses an access that was committed before it.
import { AirlockError } from '../lib/errors.js';
import type { CedarRecord } from '../model/entity.js';
import { runNode } from './access-graph.js';
import type { AccessMap } from './access-map.js';
import { lineageOf, MAX_LINEAGE_DATASETS, wouldCycle } from './lineage.js';

/** Actions whose context carries lineage and attestations. */
export const LINEAGE_ACTIONS: ReadonlySet<string> = new Set(['model.register', 'model.deploy']);

/**
 * The lineage context of `model` (`Type::"id"`). For `model.register` by `run`, the run's own
 * inputs count as the model's (the registration is what links them), and a run whose inputs
 * already descend from the model is refused: the lineage would be a cycle.
 */
export async function lineageContext(map: AccessMap, action: string, model: string, run: string | undefined): Promise<CedarRecord> {
  await map.catchUp();
  const graph = map.graph;
  if (action === 'model.register' && run && wouldCycle(graph, runNode(run), model)) {
    throw new AirlockError('bad_request', `run ${run} already depends on ${model}: registering it would make a lineage cycle`);
  }
  const from = lineageOf(graph, model);
  const runs = action === 'model.register' && run ? lineageOf(graph, runNode(run)) : undefined;
  const datasets = [...new Set([...from.datasets, ...(runs?.datasets ?? [])])].sort();
  const sensitivities = [...new Set([...from.sensitivities, ...(runs?.sensitivities ?? [])])].sort();
  return {
    lineage: { datasets: datasets.slice(0, MAX_LINEAGE_DATASETS), sensitivities },
    attestations: map.latestResults(model),
  };
}
