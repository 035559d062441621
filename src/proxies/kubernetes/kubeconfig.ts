// The kubeconfig that points kubectl at a `kubernetes` resource through the gateway: its server is
// `<data plane>/<name>`, its user a bearer token (an Airlock API key or a JWT). kubectl sends the
// token only over TLS, so the data plane serves HTTPS (`tls:`) and the kubeconfig carries its CA. With an approval
// id, the server path starts with `/_airlock/approval/<id>`, which the surface reads as the
// `Airlock-Approval` header that kubectl cannot send.
import { stringify } from 'yaml';

export interface KubeconfigInput {
  readonly name: string;
  /** The gateway's data plane, e.g. `http://127.0.0.1:8080`. */
  readonly server: string;
  readonly token: string;
  readonly approval?: string;
  readonly namespace?: string;
  /** The CA (PEM) that signs the gateway's data-plane certificate, embedded in the kubeconfig. */
  readonly ca?: string;
  readonly insecureSkipTlsVerify?: boolean;
}

export function kubeconfig(k: KubeconfigInput): string {
  const base = k.server.replace(/\/+$/, '');
  const server = `${base}/${k.name}${k.approval ? `/_airlock/approval/${k.approval}` : ''}`;
  const id = `airlock-${k.name}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: id,
        cluster: {
          server,
          ...(k.ca ? { 'certificate-authority-data': Buffer.from(k.ca).toString('base64') } : {}),
          ...(k.insecureSkipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}),
        },
      },
    ],
    users: [{ name: id, user: { token: k.token } }],
    contexts: [{ name: id, context: { cluster: id, user: id, ...(k.namespace ? { namespace: k.namespace } : {}) } }],
    'current-context': id,
    preferences: {},
  });
}
