// Hand-made SigV4 requests for the tests that need what an SDK will not send: a signature from
// another time, a body other than the one signed, an upload that stops half-way.
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../src/proxies/s3/sigv4/node-sha256.js';
import { awsUriEncode } from '../../src/proxies/s3/sigv4/encoding.js';

export interface SignInput {
  readonly endpoint: string;
  readonly method: string;
  /** `/bucket/key`, not encoded. */
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  /** Hex SHA-256 or UNSIGNED-PAYLOAD (the default for bodies; the empty hash without one). */
  readonly payloadHash?: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  readonly date?: Date;
}

export async function signRequest(s: SignInput): Promise<{ url: string; headers: Record<string, string> }> {
  const base = new URL(s.endpoint);
  const path = `${base.pathname.replace(/\/$/, '')}${awsUriEncode(s.path, true)}`;
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: s.credentials, sha256: NodeSha256, uriEscapePath: false });
  const signed = await signer.sign(
    {
      method: s.method,
      protocol: base.protocol,
      hostname: base.hostname,
      port: Number(base.port),
      path,
      query: s.query ?? {},
      headers: { host: base.host, 'x-amz-content-sha256': s.payloadHash ?? 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', ...s.headers },
    },
    { signingDate: s.date },
  );
  const qs = Object.entries(s.query ?? {}).map(([k, v]) => `${awsUriEncode(k)}=${awsUriEncode(v)}`).join('&');
  return { url: `${base.origin}${path}${qs ? `?${qs}` : ''}`, headers: signed.headers as Record<string, string> };
}
