// How an S3 request's body is checked on its way to the store, chosen from its headers before the
// decision (so a malformed upload is refused before anything is decided or opened) and attached
// only after it: a plain body of Content-Length bytes (its signed SHA-256 checked when given), or
// an aws-chunked body decoded to x-amz-decoded-content-length bytes. `limits.max_body_bytes` does
// not apply: nothing here holds more than one piece of the body.
import type { IncomingHttpHeaders } from 'node:http';
import { AwsChunkedBody } from './body/aws-chunked.js';
import { CHECKSUM_TRAILERS } from './body/checksum.js';
import type { HeldBackTransform } from './body/held-back.js';
import { PlainBody } from './body/plain-body.js';
import { S3Failure } from './s3-error.js';
import { STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER, UNSIGNED_PAYLOAD } from './sigv4/auth-params.js';
import type { Verified } from './sigv4/verify.js';

export interface BodyPlan {
  /** The object's bytes as the store will receive them. */
  readonly length: number;
  readonly awsChunked: boolean;
  /** What the gateway tells the store of the payload: the client's signed hex digest, or UNSIGNED-PAYLOAD. */
  readonly upstreamHash: string;
  /** The digest an approval of this upload is bound to, when the client signed one. */
  readonly sha256?: string;
  readonly check: () => HeldBackTransform;
}

const LENGTH = /^\d{1,15}$/;

/** The body's plan for an operation that uploads; refuses a request that sends a body to one that does not. */
export function bodyPlan(headers: IncomingHttpHeaders, verified: Verified, uploads: boolean): BodyPlan | undefined {
  const declared = headers['content-length'];
  const chunkedTransfer = headers['transfer-encoding'] !== undefined;
  const { payloadHash } = verified.auth;
  if (!uploads) {
    if ((declared !== undefined && declared !== '0') || chunkedTransfer) throw new S3Failure('InvalidRequest', 400, 'this operation takes no request body');
    return undefined;
  }
  if (payloadHash === STREAMING_SIGNED || payloadHash === STREAMING_SIGNED_TRAILER || payloadHash === STREAMING_UNSIGNED_TRAILER) {
    const decoded = headers['x-amz-decoded-content-length'];
    if (typeof decoded !== 'string' || !LENGTH.test(decoded)) throw new S3Failure('MissingContentLength', 411, 'aws-chunked uploads must send x-amz-decoded-content-length');
    const trailer = trailerOf(headers, payloadHash !== STREAMING_SIGNED);
    const signing = payloadHash === STREAMING_UNSIGNED_TRAILER ? undefined : { signingKey: verified.signingKey, amzDate: verified.auth.amzDate, scope: verified.auth.scope, seedSignature: verified.auth.signature };
    const length = Number(decoded);
    return { length, awsChunked: true, upstreamHash: UNSIGNED_PAYLOAD, check: () => new AwsChunkedBody({ decodedLength: length, signing, trailer }) };
  }
  if (declared === undefined || !LENGTH.test(declared)) throw new S3Failure('MissingContentLength', 411, 'You must provide the Content-Length HTTP header.');
  const length = Number(declared);
  const sha256 = payloadHash === UNSIGNED_PAYLOAD ? undefined : payloadHash;
  return { length, awsChunked: false, upstreamHash: sha256 ?? UNSIGNED_PAYLOAD, sha256, check: () => new PlainBody(length, sha256) };
}

function trailerOf(headers: IncomingHttpHeaders, allowed: boolean): string | undefined {
  const announced = headers['x-amz-trailer'];
  if (announced === undefined) return undefined;
  const name = String(announced).trim().toLowerCase();
  if (!allowed) throw new S3Failure('InvalidRequest', 400, `${STREAMING_SIGNED} carries no trailer; use ${STREAMING_SIGNED_TRAILER}`);
  if (!CHECKSUM_TRAILERS.includes(name)) throw new S3Failure('InvalidRequest', 400, `the trailer ${name} is not supported; use one of ${CHECKSUM_TRAILERS.join(', ')} (CRC32 is the SDKs' default)`);
  return name;
}
