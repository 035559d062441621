// The ValidatingWebhookConfiguration that sends a cluster's GPU workloads to the gateway:
// Pods, Deployments, StatefulSets, ReplicaSets (and their scale subresources, so `kubectl scale`
// is counted), Jobs and CronJobs, on create, update and delete. `failurePolicy: Fail`: when the
// gateway cannot answer, nothing is admitted (a webhook that fails open is no control at all).
// kube-system is left out so the cluster can always heal itself; the break-glass procedure for
// everything else is in the header the command prints.
import { stringify } from 'yaml';

export interface WebhookConfigInput {
  readonly name: string;
  /** Where the API server reaches the admission listener: `https://host:port`. */
  readonly url: string;
  /** PEM of the CA that signs the admission listener's certificate. */
  readonly ca?: string;
  readonly budgetMs: number;
}

const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE'];

export function webhookConfig(w: WebhookConfigInput): string {
  const metadataName = `airlock-${w.name}`;
  const doc = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: metadataName, labels: { 'app.kubernetes.io/managed-by': 'airlock' } },
    webhooks: [
      {
        name: `${w.name.replace(/_/g, '-')}.admission.airlock.dev`,
        admissionReviewVersions: ['v1'],
        clientConfig: { url: `${w.url.replace(/\/+$/, '')}/admission/${w.name}`, ...(w.ca ? { caBundle: Buffer.from(w.ca).toString('base64') } : {}) },
        rules: [
          { apiGroups: [''], apiVersions: ['v1'], operations: OPERATIONS, resources: ['pods'], scope: 'Namespaced' },
          {
            apiGroups: ['apps'],
            apiVersions: ['v1'],
            operations: OPERATIONS,
            resources: ['deployments', 'deployments/scale', 'statefulsets', 'statefulsets/scale', 'replicasets', 'replicasets/scale'],
            scope: 'Namespaced',
          },
          { apiGroups: ['batch'], apiVersions: ['v1'], operations: OPERATIONS, resources: ['jobs', 'cronjobs'], scope: 'Namespaced' },
        ],
        failurePolicy: 'Fail',
        matchPolicy: 'Equivalent',
        // Dry runs are answered without reserving GPUs.
        sideEffects: 'NoneOnDryRun',
        // The gateway answers within budget_ms; the API server waits a little longer than that.
        timeoutSeconds: Math.min(30, Math.ceil(w.budgetMs / 1000) + 1),
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] },
      },
    ],
  };
  const header = [
    `# Airlock admission for the kubernetes resource "${w.name}": kubectl apply -f this file.`,
    '# failurePolicy Fail: while the gateway cannot answer, these workloads are not admitted.',
    '# Break glass (the gateway is down and the cluster must change now), as a cluster admin:',
    `#   kubectl delete validatingwebhookconfiguration ${metadataName}`,
    '# The deletion is in the cluster audit log; nothing is decided or counted by Airlock until you',
    `# apply this file again (then run a reconcile: allocations are recounted every reconcile_seconds).`,
  ];
  return `${header.join('\n')}\n${stringify(doc)}`;
}
