// Metric label values come only from bounded sets: a label value is a time series kept for the
// life of the process, so one that callers choose (an action name in a gate request, an unknown
// JSON-RPC method) would let anyone grow /metrics without limit. Actions outside the built-in
// set are counted as `other`; the audit log, not the metrics, says which they were.

const BUILT_IN_ACTIONS = [
  'model.invoke', 'model.list', 'model.register', 'model.deploy',
  'http.read', 'http.write', 'http.delete',
  'dataset.read', 'dataset.list', 'dataset.write', 'dataset.delete',
  'db.read', 'db.write', 'db.ddl', 'db.admin',
  'tool.call', 'tool.list', 'resource.read', 'resource.list', 'prompt.get', 'prompt.list',
  'secret.read', 'attest', 'gate', 'grant.request',
  'admin.graph.read', 'admin.graph.rebuild', 'admin.attestations.read',
  'admin.audit.read', 'admin.approvals.read', 'admin.approve', 'admin.deny', 'admin.grants.read', 'admin.grants.revoke',
  ...['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'scale', 'exec', 'attach', 'portforward', 'proxy', 'admit'].map((v) => `k8s.${v}`),
];

const KNOWN = new Set<string>(BUILT_IN_ACTIONS);

export function actionLabel(action: string | undefined): string {
  if (action === undefined) return '-';
  return KNOWN.has(action) ? action : 'other';
}

/** Lets a surface name actions of its own that are not caller-chosen. */
export function registerActionLabels(...actions: readonly string[]): void {
  for (const a of actions) KNOWN.add(a);
}
