// A real `airlock serve` with a `kubernetes` resource named `cluster` in front of the stand-in API
// server, and the policies the Kubernetes end-to-end tests share: discovery for everyone, reads
// and small writes in namespace `ml` for ml-eng (images from registry.internal only, at most 8
// GPUs), scaling past 5 replicas with an SRE's approval, exec in `ml`.
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { startAirlock, type RunningAirlock } from './airlock-process.js';
import { startStandInApiServer, type StandInApiServer } from './kube-apiserver.js';
import { testCerts } from './tls-certs.js';

export const GATEWAY_TOKEN = 'gateway-service-account-token';

export const K8S_POLICIES = {
  'kubernetes.cedar': `
@id("discovery") permit (principal, action == Action::"k8s.discovery", resource in Resource::"cluster");
@id("read-ml") permit (principal in Group::"ml-eng", action in [Action::"k8s.get", Action::"k8s.list", Action::"k8s.watch"], resource in Namespace::"cluster/ml");
@id("write-ml") permit (principal in Group::"ml-eng", action in [Action::"k8s.create", Action::"k8s.update", Action::"k8s.patch", Action::"k8s.delete"], resource in Namespace::"cluster/ml")
  when { context.gpus <= 8 && ["registry.internal"].containsAll(context.registries) };
@id("scale-small") permit (principal in Group::"ml-eng", action == Action::"k8s.scale", resource in Namespace::"cluster/ml") when { context.replicas <= 5 };
@id("scale-big") @approval("sre") permit (principal in Group::"ml-eng", action == Action::"k8s.scale", resource in Namespace::"cluster/ml") when { context.replicas > 5 };
@id("exec-ml") permit (principal in Group::"ml-eng", action == Action::"k8s.exec", resource in Namespace::"cluster/ml");
@id("admit-internal") permit (principal, action == Action::"k8s.admit", resource in Resource::"cluster")
  when { ["registry.internal"].containsAll(context.registries) && context.gpus <= 16 };
@id("admit-big") @approval("sre") permit (principal, action == Action::"k8s.admit", resource in Resource::"cluster")
  when { ["registry.internal"].containsAll(context.registries) && context.gpus > 16 };
`,
  'control.cedar': `
@id("read-approvals") permit (principal, action == Action::"admin.approvals.read", resource in Airlock::"control-plane");
@id("sre-votes") permit (principal in Group::"sre", action in [Action::"admin.approve", Action::"admin.deny"], resource in Airlock::"control-plane");
@id("audit") permit (principal in Group::"sre", action == Action::"admin.audit.read", resource in Airlock::"control-plane");
`,
};

export interface KubeGateway {
  readonly api: StandInApiServer;
  readonly airlock: RunningAirlock;
  /** The API server URL clients use: `<data plane>/cluster`. */
  readonly server: string;
  stop(): Promise<void>;
}

export interface KubeGatewayOptions {
  readonly resource?: Record<string, unknown>;
  readonly config?: Record<string, unknown>;
  /** Serve the admission webhook too (TLS, the test certificate). */
  readonly admission?: boolean;
  /** Another gateway's directory (replicas share config, keys and policies). */
  readonly dir?: string;
  /** Use this stand-in API server instead of starting one. */
  readonly api?: StandInApiServer;
  /** The resource's name (default `cluster`) and the bundle (default K8S_POLICIES). */
  readonly name?: string;
  readonly policies?: Record<string, string>;
}

export async function startKubeGateway(opts: KubeGatewayOptions = {}): Promise<KubeGateway> {
  const api = opts.api ?? (await startStandInApiServer({ token: GATEWAY_TOKEN }));
  const certs = testCerts();
  const airlock = await startAirlock({
    ...(opts.dir ? { dir: opts.dir } : {}),
    policies: opts.policies ?? K8S_POLICIES,
    resources: [{ name: opts.name ?? 'cluster', type: 'kubernetes', upstream: api.url, inject: { headers: { Authorization: `Bearer ${GATEWAY_TOKEN}` } }, ...opts.resource }],
    // kubectl sends its token only over TLS.
    config: {
      tls: { cert_file: certs.certFile, key_file: certs.keyFile },
      ...(opts.admission ? { admission: { listen: '127.0.0.1:0', cert_file: certs.certFile, key_file: certs.keyFile } } : {}),
      ...opts.config,
    },
  });
  return {
    api,
    airlock,
    server: `${airlock.dataUrl}/${opts.name ?? 'cluster'}`,
    async stop() {
      await airlock.stop();
      await api.close();
    },
  };
}

export interface GatewayAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = Record<string, any>>(): T;
}

/** One request to the gateway's data plane over TLS (trusting the test CA), as a raw client would send it. */
export function callGateway(
  gw: KubeGateway,
  method: string,
  path: string,
  opts: { token?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<GatewayAnswer> {
  const url = new URL(`${gw.server}${path}`);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        ca: readFileSync(testCerts().caFile),
        // node sends a GET's body unframed unless told its length.
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(opts.body)) } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** The audit records after `after` (as an SRE, who may read them). */
export async function auditRecords(gw: KubeGateway, token: string, after = -1): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  for (let from = after; ; ) {
    const res = await fetch(`${gw.airlock.adminUrl}/api/v1/audit?after=${from}&limit=500`, { headers: { authorization: `Bearer ${token}` } });
    const page = (await res.json()) as Record<string, any>[];
    out.push(...page);
    if (page.length < 500) return out;
    from = page[page.length - 1]!.seq as number;
  }
}
