// Reads a Kubernetes API request the way the API server's own request-info parser does
// (k8s.io/apiserver RequestInfoFactory): the group and version from `/api/v1` or
// `/apis/<group>/<version>`, then `[watch/|proxy/]`, `namespaces/<ns>/`, the resource, the
// object's name, the subresource and whatever follows it (a proxied path). The verb comes from
// the method, the `watch` query and what the path names: a GET without a name is a list (or a
// watch), a DELETE without one a deletecollection, and the streaming subresources (exec, attach,
// portforward, proxy) and scale are verbs of their own, as policies want to speak of them.
// Discovery (`/api`, `/apis/...` without a resource, `/version`, `/openapi/...`) is read-only
// metadata kubectl needs before anything else; every other path is `proxy` on a non-resource.

export type K8sVerb =
  | 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection'
  | 'scale' | 'exec' | 'attach' | 'portforward' | 'proxy' | 'discovery'
  /** An admission review of an object (the webhook, not the proxy). */
  | 'admit';

export interface ApiRequest {
  readonly verb: K8sVerb;
  /** `resource` for objects; `discovery` and `nonresource` have no resource or namespace. */
  readonly kind: 'resource' | 'discovery' | 'nonresource';
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  /** "" when cluster-scoped (or for every namespace at once). */
  readonly namespace: string;
  /** Plural, lower case (`deployments`); "" outside resources. */
  readonly resource: string;
  /** The object's name; "" for a collection. */
  readonly name: string;
  readonly subresource: string;
  /** `?dryRun=All`: the API server validates and answers without storing. */
  readonly dryRun: boolean;
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);
const VERB_SUBRESOURCES: Record<string, K8sVerb> = { exec: 'exec', attach: 'attach', portforward: 'portforward', proxy: 'proxy' };
/** The version and OpenAPI documents: the exact paths, since anything else under them is no document. */
const DISCOVERY_PATHS = /^\/(version|swagger\.json|openapi\/v2|openapi\/v3|openapi\/v3\/api\/v1|openapi\/v3\/apis\/[^/]+\/[^/]+)\/?$/;

/** `path` is normalised by the router (no empty or dot segments); `query` has its `?` or is empty. */
export function parseApiRequest(method: string, path: string, query: string): ApiRequest {
  const params = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  const dryRun = params.getAll('dryRun').includes('All');
  const parts = path.split('/').filter((p) => p !== '');
  const base = { group: '', version: '', namespace: '', resource: '', name: '', subresource: '', dryRun };
  const nonresource = (): ApiRequest => ({ ...base, verb: 'proxy', kind: 'nonresource' });
  const discovery = (): ApiRequest => ({ ...base, verb: 'discovery', kind: 'discovery' });

  let rest: string[];
  let group = '';
  let version: string;
  if (parts[0] === 'api') {
    if (parts.length <= 2) return readOnly(method) ? discovery() : nonresource();
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length <= 3) return readOnly(method) ? discovery() : nonresource();
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return DISCOVERY_PATHS.test(path) && readOnly(method) ? discovery() : nonresource();
  }

  let verb: K8sVerb | undefined;
  if (rest[0] === 'watch' || rest[0] === 'proxy') {
    verb = rest[0];
    rest = rest.slice(1);
  }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1]!;
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) rest = rest.slice(2);
  }
  const [resource = '', name = '', subresource = ''] = rest;
  if (!resource) return nonresource();
  const facts = { ...base, kind: 'resource' as const, group, version, namespace, resource, subresource };

  verb ??= VERB_SUBRESOURCES[subresource] ?? methodVerb(method);
  if (!verb) return nonresource();
  let object = name;
  if (!object && (verb === 'get' || verb === 'watch')) {
    if (verb === 'get') verb = watching(params) ? 'watch' : 'list';
    object = exactName(params.get('fieldSelector'));
  } else if (verb === 'get' && watching(params)) {
    verb = 'watch';
  }
  if (!name && verb === 'delete') verb = 'deletecollection';
  if (subresource === 'scale' && (verb === 'update' || verb === 'patch')) verb = 'scale';
  return { ...facts, verb, name: object };
}

function readOnly(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

function methodVerb(method: string): K8sVerb | undefined {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return 'get';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return undefined;
  }
}

function watching(params: URLSearchParams): boolean {
  const w = params.get('watch');
  return w === 'true' || w === '1';
}

/** `metadata.name=x` (or `==`) in a field selector names one object, as the API server reads it. */
function exactName(selector: string | null): string {
  if (!selector) return '';
  for (const term of selector.split(',')) {
    const m = /^\s*metadata\.name\s*==?\s*([^\s=!]+)\s*$/.exec(term);
    if (m && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(m[1]!)) return m[1]!;
  }
  return '';
}
