// Identify stage for S3: checks a request's SigV4 signature against the Airlock-issued secret of
// its access key and yields the key's principal. Every check that fails refuses with S3's own
// code: an unknown, revoked or expired key is InvalidAccessKeyId; a wrong signature
// SignatureDoesNotMatch; a header-signed request more than 15 minutes from the gateway's clock
// RequestTimeTooSkewed (so a captured request cannot be replayed later); an expired presigned URL
// AccessDenied. Every x-amz-* header the request carries must be signed: one added to a presigned
// URL (x-amz-copy-source) would otherwise change what the request does.
import type { IncomingMessage } from 'node:http';
import type { S3Credential } from '../../../identify/s3-keys/s3-credentials.js';
import type { Principal } from '../../../model/principal.js';
import { S3Failure } from '../s3-error.js';
import type { SigV4Auth } from './auth-params.js';
import { canonicalRequest, stringToSign } from './canonical-request.js';
import type { QueryParam } from './encoding.js';
import { hmac, signaturesEqual, SigningKeys } from './signing-key.js';

/** How far a header-signed request's time may be from the gateway's, as S3 allows. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

export type CredentialLookup = (accessKeyId: string) => Promise<S3Credential | undefined>;

export interface SignedRequest {
  readonly method: string;
  /** The whole decoded path, `/name/bucket/key`. */
  readonly path: string;
  readonly query: readonly QueryParam[];
  readonly headers: IncomingMessage['headersDistinct'];
}

/** A verified request: its principal, and what chunk signatures are chained from. */
export interface Verified {
  readonly principal: Principal;
  readonly auth: SigV4Auth;
  readonly signingKey: Buffer;
}

export class SigV4Verifier {
  private readonly keys = new SigningKeys();

  constructor(
    private readonly region: string,
    private readonly credentials: CredentialLookup,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(req: SignedRequest, auth: SigV4Auth): Promise<Verified> {
    this.checkScope(auth);
    this.checkTime(auth);
    for (const name of Object.keys(req.headers)) {
      if (name.startsWith('x-amz-') && name !== 'x-amz-content-sha256' && !auth.signedHeaders.includes(name)) {
        throw new S3Failure('AccessDenied', 403, `There were headers present in the request which were not signed: ${name}`);
      }
    }
    const credential = await this.credentials(auth.accessKeyId);
    if (!credential) throw new S3Failure('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.');
    const signingKey = this.keys.get(credential.secretId, credential.secret, auth.scopeDate, auth.region);
    const canonical = canonicalRequest({
      method: req.method,
      path: req.path,
      query: req.query,
      headers: req.headers,
      signedHeaders: auth.signedHeaders,
      payloadHash: auth.payloadHash,
      skipParam: auth.form === 'query' ? 'X-Amz-Signature' : undefined,
    });
    const expected = hmac(signingKey, stringToSign(auth.amzDate, auth.scope, canonical)).toString('hex');
    if (!signaturesEqual(expected, auth.signature)) {
      throw new S3Failure('SignatureDoesNotMatch', 403, 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
    }
    return { principal: credential.principal, auth, signingKey };
  }

  private checkScope(auth: SigV4Auth): void {
    const code = auth.form === 'header' ? 'AuthorizationHeaderMalformed' : 'AuthorizationQueryParametersError';
    if (auth.amzDate.slice(0, 8) !== auth.scopeDate) throw new S3Failure(code, 400, 'The credential date does not match the request date');
    if (auth.region !== this.region) throw new S3Failure(code, 400, `the region '${auth.region}' is wrong; expecting '${this.region}'`);
    if (auth.service !== 's3') throw new S3Failure(code, 400, `the service '${auth.service}' is wrong; expecting 's3'`);
  }

  private checkTime(auth: SigV4Auth): void {
    const signedAt = parseAmzDate(auth.amzDate);
    if (signedAt === undefined) throw new S3Failure('AccessDenied', 403, 'X-Amz-Date must be YYYYMMDDTHHMMSSZ');
    const now = this.now();
    if (auth.form === 'header') {
      if (Math.abs(now - signedAt) > MAX_SKEW_MS) throw new S3Failure('RequestTimeTooSkewed', 403, 'The difference between the request time and the current time is too large.');
      return;
    }
    if (signedAt - now > MAX_SKEW_MS) throw new S3Failure('AccessDenied', 403, 'Request is not valid yet');
    if (now > signedAt + auth.expiresSeconds! * 1000) throw new S3Failure('AccessDenied', 403, 'Request has expired');
  }
}

/** `YYYYMMDDTHHMMSSZ` as unix ms, or undefined. */
export function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se] = m.map(Number) as [number, number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, se);
  const back = new Date(t);
  // Date.UTC rolls 20130231 over to March; such a date is malformed.
  return back.getUTCDate() === d && back.getUTCMonth() === mo - 1 && h < 24 && mi < 60 && se < 60 ? t : undefined;
}
