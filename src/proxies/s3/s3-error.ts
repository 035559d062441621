// S3's own error dialect: what a refusal or a failure looks like to an S3 client. SDKs raise an
// error named after `<Code>`, so each refusal keeps S3's code (AccessDenied, SignatureDoesNotMatch,
// ...) and adds Airlock's problem code and the approval id in elements of their own.
import type { ServerResponse } from 'node:http';
import type { ErrorCode } from '../../lib/errors.js';
import { statusOf } from '../../lib/problem.js';
import type { Refusal } from '../../pipeline/stage-contract.js';
import { xmlEscape } from './xml.js';

/** A request the S3 surface refuses before or outside a decision, with S3's code for it. */
export class S3Failure extends Error {
  override readonly name = 'S3Failure';
  constructor(
    /** S3's error code, e.g. `SignatureDoesNotMatch`. */
    readonly s3Code: string,
    readonly status: number,
    message: string,
    /** The problem code the audit record and `<AirlockCode>` carry. */
    readonly code: ErrorCode = status === 403 ? 'unauthenticated' : 'bad_request',
  ) {
    super(message);
  }
}

/** The S3 code and status for a refusal: S3's own when one is known, else one per problem code. */
export function s3CodeOf(r: Refusal, failure?: S3Failure): { s3Code: string; status: number } {
  if (failure && failure.code === r.code) return { s3Code: failure.s3Code, status: failure.status };
  switch (r.code) {
    case 'unauthenticated':
    case 'denied':
    case 'approval_required':
    case 'mfa_required':
      return { s3Code: 'AccessDenied', status: 403 };
    case 'rate_limited':
    case 'too_many_pending':
      return { s3Code: 'SlowDown', status: 503 };
    case 'audit_unavailable':
    case 'store_unavailable':
      return { s3Code: 'ServiceUnavailable', status: 503 };
    case 'not_found':
      return { s3Code: 'NoSuchBucket', status: 404 };
    case 'upstream_unavailable':
      return { s3Code: 'ServiceUnavailable', status: 503 };
    case 'upstream_timeout':
      return { s3Code: 'RequestTimeout', status: 504 };
    case 'internal':
      return { s3Code: 'InternalError', status: 500 };
    default:
      return { s3Code: 'InvalidRequest', status: statusOf(r.code) };
  }
}

export interface S3ErrorAnswer {
  readonly s3Code: string;
  readonly status: number;
  readonly message: string;
  readonly requestId: string;
  readonly airlockCode: ErrorCode;
  readonly approvalId?: string;
  readonly resource?: string;
  readonly headers?: Record<string, string>;
  /** The request body was not read: close the connection rather than drain a large upload. */
  readonly closeConnection?: boolean;
}

export function s3ErrorXml(a: S3ErrorAnswer): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    `<Code>${a.s3Code}</Code><Message>${xmlEscape(a.message)}</Message>` +
    (a.resource ? `<Resource>${xmlEscape(a.resource)}</Resource>` : '') +
    `<RequestId>${a.requestId}</RequestId><AirlockCode>${a.airlockCode}</AirlockCode>` +
    (a.approvalId ? `<ApprovalId>${xmlEscape(a.approvalId)}</ApprovalId>` : '') +
    '</Error>'
  );
}

/** Writes the error answer (no body for HEAD, as S3 does); returns the status. */
export function sendS3Error(res: ServerResponse, a: S3ErrorAnswer, head = false): number {
  if (res.headersSent) {
    res.destroy();
    return a.status;
  }
  const body = head ? '' : s3ErrorXml(a);
  res.writeHead(a.status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': a.requestId,
    'airlock-request-id': a.requestId,
    ...(a.approvalId ? { 'airlock-approval-id': a.approvalId } : {}),
    ...(a.closeConnection ? { connection: 'close' } : {}),
    ...a.headers,
  });
  res.end(body);
  return a.status;
}
