// The stand-in API server's discovery documents and kinds: what kubectl and client-node read
// before anything else (`/api`, `/api/v1`, `/apis`, `/apis/<group>/<version>`, `/version`), in the
// shapes the real API server serves (legacy discovery; clients asking for aggregated discovery
// fall back to it when the answer is plain application/json, as with an older server).

export interface ResourceKind {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly scale?: boolean;
  readonly shortNames?: readonly string[];
}

export const KINDS: readonly ResourceKind[] = [
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true, shortNames: ['po'] },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'] },
  { group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true, shortNames: ['svc'] },
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false, shortNames: ['ns'] },
  { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false, shortNames: ['no'] },
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true, scale: true, shortNames: ['deploy'] },
  { group: 'apps', version: 'v1', resource: 'statefulsets', kind: 'StatefulSet', namespaced: true, scale: true, shortNames: ['sts'] },
  { group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', namespaced: true, scale: true, shortNames: ['rs'] },
  { group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job', namespaced: true },
  { group: 'batch', version: 'v1', resource: 'cronjobs', kind: 'CronJob', namespaced: true, shortNames: ['cj'] },
];

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const kindOf = (group: string, resource: string) => KINDS.find((k) => k.group === group && k.resource === resource);
export const groupVersion = (k: Pick<ResourceKind, 'group' | 'version'>) => (k.group ? `${k.group}/${k.version}` : k.version);

/** The discovery document at `path`, or undefined when the path is not discovery. */
export function discoveryDocument(path: string): unknown {
  if (path === '/version') {
    return { major: '1', minor: '30', gitVersion: 'v1.30.0', gitCommit: 'standin', gitTreeState: 'clean', buildDate: '2024-04-17T00:00:00Z', goVersion: 'go1.22.2', compiler: 'gc', platform: 'linux/amd64' };
  }
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }] };
  if (path === '/apis') {
    const groups = [...new Set(KINDS.filter((k) => k.group).map((k) => k.group))];
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map((name) => ({ name, versions: [{ groupVersion: `${name}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' } })),
    };
  }
  const m = /^\/api\/v1$|^\/apis\/([^/]+)\/v1$/.exec(path);
  if (!m) return undefined;
  const group = m[1] ?? '';
  const kinds = KINDS.filter((k) => k.group === group);
  if (!kinds.length) return undefined;
  const resources = kinds.flatMap((k) => [
    { name: k.resource, singularName: k.kind.toLowerCase(), namespaced: k.namespaced, kind: k.kind, verbs: VERBS, ...(k.shortNames ? { shortNames: k.shortNames } : {}) },
    ...(k.scale ? [{ name: `${k.resource}/scale`, singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] }] : []),
    ...(k.kind === 'Pod'
      ? ['exec', 'attach', 'portforward', 'log'].map((sub) => ({ name: `pods/${sub}`, singularName: '', namespaced: true, kind: sub === 'log' ? 'Pod' : 'PodExecOptions', verbs: sub === 'log' ? ['get'] : ['create', 'get'] }))
      : []),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version: 'v1' }), resources };
}
