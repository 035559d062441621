// AdmissionReview v1 requests shaped exactly as kube-apiserver sends them to a validating webhook
// (every field it fills for a create, update, delete or scale, options included), and a client
// that posts them over TLS as the API server does.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { testCerts } from './tls-certs.js';

type Obj = Record<string, any>;

const GROUPS: Record<string, [group: string, version: string, kind: string]> = {
  pods: ['', 'v1', 'Pod'],
  deployments: ['apps', 'v1', 'Deployment'],
  statefulsets: ['apps', 'v1', 'StatefulSet'],
  replicasets: ['apps', 'v1', 'ReplicaSet'],
  jobs: ['batch', 'v1', 'Job'],
  cronjobs: ['batch', 'v1', 'CronJob'],
};

export interface ReviewOptions {
  readonly operation?: 'CREATE' | 'UPDATE' | 'DELETE';
  readonly user?: string;
  readonly groups?: readonly string[];
  readonly subResource?: 'scale';
  readonly oldObject?: Obj | null;
  readonly dryRun?: boolean;
}

export function admissionReview(resource: keyof typeof GROUPS, object: Obj, o: ReviewOptions = {}): Obj {
  const [group, version, kind] = GROUPS[resource]!;
  const operation = o.operation ?? 'CREATE';
  const scale = o.subResource === 'scale';
  const gvk = scale ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : { group, version, kind };
  const gvr = { group, version, resource };
  const optionsKind = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions' }[operation];
  return {
    kind: 'AdmissionReview',
    apiVersion: 'admission.k8s.io/v1',
    request: {
      uid: randomUUID(),
      kind: gvk,
      resource: gvr,
      ...(scale ? { subResource: 'scale' } : {}),
      requestKind: gvk,
      requestResource: gvr,
      ...(scale ? { requestSubResource: 'scale' } : {}),
      name: object.metadata?.name ?? '',
      namespace: object.metadata?.namespace ?? 'default',
      operation,
      userInfo: { username: o.user ?? 'system:serviceaccount:argocd:argocd-application-controller', uid: randomUUID(), groups: [...(o.groups ?? ['system:serviceaccounts', 'system:serviceaccounts:argocd', 'system:authenticated'])], extra: {} },
      object: operation === 'DELETE' ? null : { apiVersion: scale ? 'autoscaling/v1' : group ? `${group}/${version}` : version, kind: gvk.kind, ...object },
      oldObject: o.oldObject ?? (operation === 'CREATE' ? null : object),
      dryRun: o.dryRun ?? false,
      options: { kind: optionsKind, apiVersion: 'meta.k8s.io/v1', ...(operation === 'DELETE' ? { propagationPolicy: 'Background' } : { fieldManager: 'kubectl-client-side-apply', fieldValidation: 'Strict' }) },
    },
  };
}

export interface ReviewAnswer {
  readonly status: number;
  readonly body: Obj;
}

/** Posts a review (or any text) to `<admissionUrl>/admission/<name>` trusting the test CA. */
export function postReview(admissionUrl: string, name: string, review: Obj | string): Promise<ReviewAnswer> {
  const text = typeof review === 'string' ? review : JSON.stringify(review);
  return new Promise((resolve, reject) => {
    const req = request(`${admissionUrl}/admission/${name}`, { method: 'POST', ca: readFileSync(testCerts().caFile), headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) as Obj }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

/** A workload asking for `gpus` per replica of team `team`. */
export function gpuWorkload(resource: 'jobs' | 'deployments' | 'pods', name: string, gpus: number, o: { team?: string; image?: string; replicas?: number; namespace?: string } = {}): Obj {
  const pod = { containers: [{ name: 'main', image: o.image ?? 'registry.internal/train:1', resources: { limits: { 'nvidia.com/gpu': String(gpus) } } }], restartPolicy: resource === 'jobs' ? 'Never' : 'Always' };
  const metadata = { name, namespace: o.namespace ?? 'ml', labels: { team: o.team ?? 'ml' } };
  if (resource === 'pods') return { metadata, spec: pod };
  if (resource === 'jobs') return { metadata, spec: { parallelism: o.replicas ?? 1, template: { metadata: { labels: { team: o.team ?? 'ml' } }, spec: pod } } };
  return { metadata, spec: { replicas: o.replicas ?? 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: pod } } };
}
