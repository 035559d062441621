// Reads a request's SigV4 authentication, in either form: the Authorization header
// (`AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` with x-amz-date and
// x-amz-content-sha256) or a presigned URL's X-Amz-* query parameters. Only the shape is checked
// here (what S3 answers with AuthorizationHeaderMalformed, AuthorizationQueryParametersError or
// InvalidRequest); times, the key and the signature are verify.ts's.
import type { IncomingHttpHeaders } from 'node:http';
import { S3Failure } from '../s3-error.js';
import type { QueryParam } from './encoding.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
const PAYLOAD_FORMS = new Set([UNSIGNED_PAYLOAD, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER]);

/** The longest a presigned URL may live, as S3 allows (7 days). */
const MAX_EXPIRES_SECONDS = 604_800;

export interface SigV4Auth {
  readonly form: 'header' | 'query';
  readonly accessKeyId: string;
  /** `YYYYMMDD/region/s3/aws4_request` */
  readonly scope: string;
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  /** `YYYYMMDDTHHMMSSZ` */
  readonly amzDate: string;
  /** Lower-case, in the order signed. */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** Presigned URLs: seconds after amzDate the URL stops working. */
  readonly expiresSeconds?: number;
  /** The payload hash line of the canonical request: hex SHA-256 or one of the named forms. */
  readonly payloadHash: string;
}

const malformedHeader = (why: string) => new S3Failure('AuthorizationHeaderMalformed', 400, `The authorization header is malformed; ${why}`);
const malformedQuery = (why: string) => new S3Failure('AuthorizationQueryParametersError', 400, why);

/** The request's authentication, or undefined when it carries none (anonymous). */
export function readSigV4Auth(headers: IncomingHttpHeaders, query: readonly QueryParam[]): SigV4Auth | undefined {
  const header = headers.authorization;
  const presigned = query.some((p) => p.name === 'X-Amz-Signature' || p.name === 'X-Amz-Algorithm' || p.name === 'X-Amz-Credential');
  if (header !== undefined && presigned) {
    throw new S3Failure('InvalidArgument', 400, 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified');
  }
  if (headers['x-amz-security-token'] !== undefined || query.some((p) => p.name === 'X-Amz-Security-Token')) {
    throw new S3Failure('InvalidToken', 400, 'Airlock issues no session tokens; sign with the access key from `airlock keys create --s3`');
  }
  if (header !== undefined) return fromHeader(header, headers);
  if (presigned) return fromQuery(query);
  return undefined;
}

function fromHeader(header: string, headers: IncomingHttpHeaders): SigV4Auth {
  const space = header.indexOf(' ');
  const algorithm = space === -1 ? header : header.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw new S3Failure('InvalidRequest', 400, `The authorization mechanism you have provided is not supported. Please use ${ALGORITHM}.`);
  }
  const parts = new Map<string, string>();
  for (const piece of header.slice(space + 1).split(',')) {
    const eq = piece.indexOf('=');
    if (eq === -1) throw malformedHeader('each component must be NAME=VALUE');
    const name = piece.slice(0, eq).trim();
    if (parts.has(name)) throw malformedHeader(`${name} appears twice`);
    parts.set(name, piece.slice(eq + 1).trim());
  }
  const credential = parts.get('Credential');
  const signed = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  if (!credential || !signed || !signature || parts.size !== 3) throw malformedHeader('it must hold exactly Credential, SignedHeaders and Signature');
  const amzDate = single(headers['x-amz-date']);
  if (!amzDate) throw new S3Failure('AccessDenied', 403, 'AWS authentication requires a valid x-amz-date header');
  const payloadHash = single(headers['x-amz-content-sha256']);
  if (!payloadHash) throw new S3Failure('InvalidRequest', 400, 'Missing required header for this request: x-amz-content-sha256');
  if (!PAYLOAD_FORMS.has(payloadHash) && !/^[0-9a-f]{64}$/.test(payloadHash)) {
    throw new S3Failure('InvalidArgument', 400, 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* value the gateway knows, or a lower-case hex SHA-256');
  }
  return { form: 'header', ...credentialOf(credential, malformedHeader), amzDate, ...headerList(signed, malformedHeader), signature: signatureOf(signature, malformedHeader), payloadHash };
}

function fromQuery(query: readonly QueryParam[]): SigV4Auth {
  const get = (name: string): string => {
    const found = query.filter((p) => p.name === name);
    if (found.length !== 1 || !found[0]!.value) throw malformedQuery(`Query-string authentication requires exactly one ${name} parameter`);
    return found[0]!.value;
  };
  if (get('X-Amz-Algorithm') !== ALGORITHM) throw malformedQuery(`X-Amz-Algorithm only supports "${ALGORITHM}"`);
  const expires = get('X-Amz-Expires');
  const seconds = /^\d{1,7}$/.test(expires) ? Number(expires) : NaN;
  if (!(seconds >= 1 && seconds <= MAX_EXPIRES_SECONDS)) throw malformedQuery(`X-Amz-Expires must be from 1 to ${MAX_EXPIRES_SECONDS} seconds`);
  const hashParam = query.find((p) => p.name === 'X-Amz-Content-Sha256')?.value;
  return {
    form: 'query',
    ...credentialOf(get('X-Amz-Credential'), malformedQuery),
    amzDate: get('X-Amz-Date'),
    ...headerList(get('X-Amz-SignedHeaders'), malformedQuery),
    signature: signatureOf(get('X-Amz-Signature'), malformedQuery),
    expiresSeconds: seconds,
    // A presigned URL signs no body unless it names its hash.
    payloadHash: hashParam && /^[0-9a-f]{64}$/.test(hashParam) ? hashParam : UNSIGNED_PAYLOAD,
  };
}

function credentialOf(credential: string, fail: (why: string) => S3Failure) {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) throw fail('the Credential must be ACCESS_KEY_ID/YYYYMMDD/REGION/s3/aws4_request');
  const [accessKeyId, scopeDate, region, service, terminator] = parts as [string, string, string, string, string];
  if (!/^\d{8}$/.test(scopeDate)) throw fail('the Credential date must be YYYYMMDD');
  if (terminator !== 'aws4_request') throw fail('the Credential must end with aws4_request');
  return { accessKeyId, scopeDate, region, service, scope: parts.slice(1).join('/') };
}

function headerList(signed: string, fail: (why: string) => S3Failure) {
  const names = signed.split(';');
  if (names.some((n) => !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(n))) throw fail('SignedHeaders must be lower-case header names separated by ";"');
  if (!names.includes('host')) throw fail('SignedHeaders must include host');
  return { signedHeaders: names };
}

function signatureOf(signature: string, fail: (why: string) => S3Failure): string {
  if (!/^[0-9a-f]{64}$/.test(signature)) throw fail('the Signature must be 64 lower-case hex digits');
  return signature;
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
