// SigV4's canonical request for S3 (method, canonical URI, canonical query, canonical headers,
// signed header list, payload hash) and the string to sign over it. The path is the one the client
// sent (the whole path, resource mount included: that is what its SDK signed), decoded once and
// re-encoded by the rules in encoding.ts.
import type { IncomingMessage } from 'node:http';
import { awsUriEncode, canonicalQuery, type QueryParam } from './encoding.js';
import { ALGORITHM } from './auth-params.js';
import { sha256HexOf } from './signing-key.js';

export interface CanonicalInput {
  readonly method: string;
  /** The decoded path, as `/name/bucket/key`. */
  readonly path: string;
  readonly query: readonly QueryParam[];
  /** Each header's values as received (IncomingMessage.headersDistinct). */
  readonly headers: IncomingMessage['headersDistinct'];
  readonly signedHeaders: readonly string[];
  readonly payloadHash: string;
  /** A query parameter left out (X-Amz-Signature, for presigned URLs). */
  readonly skipParam?: string;
}

export function canonicalRequest(c: CanonicalInput): string {
  let headers = '';
  for (const name of c.signedHeaders) headers += `${name}:${canonicalHeaderValue(c.headers[name])}\n`;
  return [c.method, awsUriEncode(c.path, true), canonicalQuery(c.query, c.skipParam), headers, c.signedHeaders.join(';'), c.payloadHash].join('\n');
}

/** Values trimmed, runs of spaces made one, several values joined with ",". */
function canonicalHeaderValue(values: readonly string[] | undefined): string {
  if (!values) return '';
  return values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256HexOf(canonical)}`;
}
