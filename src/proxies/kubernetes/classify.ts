// A Kubernetes request as Cedar sees it: `k8s.<verb>` on
// `K8sObject::"<name>/<namespace or _cluster>/<resource>/<object or *>"`, whose parent is
// `Namespace::"<name>/<namespace or _cluster>"` and then `Resource::"<name>"`. Discovery is
// `k8s.discovery` on `K8sObject::"<name>/_cluster/_discovery/*"` and any other path is `k8s.proxy`
// on `K8sObject::"<name>/_cluster/_nonresource/*"` (the exact path is `context.path`), so neither
// is permitted by a policy about objects by accident. Every context key is always present (0, an
// empty set or record when it does not apply): a policy reading `context.gpus` on a `get` then
// compares 0 instead of failing to evaluate, which for a `forbid` would mean not applying.
import type { ActionRequest } from '../../model/action-request.js';
import type { CedarRecord } from '../../model/entity.js';
import type { ApiRequest } from './api-path.js';
import type { WorkloadFacts } from './workload-facts.js';

export const CLUSTER_SCOPE = '_cluster';

/** The object part of the entity id: discovery and non-resource paths get fixed names. */
function objectId(name: string, api: ApiRequest): string {
  if (api.kind === 'discovery') return `${name}/${CLUSTER_SCOPE}/_discovery/*`;
  if (api.kind === 'nonresource') return `${name}/${CLUSTER_SCOPE}/_nonresource/*`;
  return `${name}/${api.namespace || CLUSTER_SCOPE}/${api.resource}/${api.name || '*'}`;
}

export function k8sActionRequest(name: string, api: ApiRequest, facts: WorkloadFacts, extra?: CedarRecord): ActionRequest {
  const context: CedarRecord = {
    namespace: api.namespace,
    resource: api.resource,
    group: api.group,
    subresource: api.subresource,
    replicas: facts.replicas,
    gpus: facts.gpus,
    images: [...facts.images],
    registries: [...facts.registries],
    labels: { ...facts.labels },
    dry_run: api.dryRun,
    ...extra,
  };
  return {
    action: `k8s.${api.verb}`,
    resource: { type: 'K8sObject', id: objectId(name, api) },
    resourceName: name,
    ancestors: [{ type: 'Namespace', id: `${name}/${api.kind === 'resource' ? api.namespace || CLUSTER_SCOPE : CLUSTER_SCOPE}`, attrs: {} }],
    context,
  };
}
