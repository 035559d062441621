// Which client headers reach the store. S3 headers change what a request does (a copy source, a
// metadata directive, conditions, a range), so the gateway passes a known list and nothing else:
// never the client's Authorization, x-amz-date or content hash (the gateway signs anew), never the
// aws-chunked framing (the store gets the decoded body), never ACL headers (refused: an ACL change
// is not an object operation the gateway decides).
import type { IncomingHttpHeaders } from 'node:http';
import { S3Failure } from './s3-error.js';

const PASSED = new Set([
  'content-type', 'content-md5', 'content-disposition', 'content-language', 'cache-control', 'expires',
  'range', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since',
  'x-amz-copy-source', 'x-amz-copy-source-range', 'x-amz-copy-source-if-match', 'x-amz-copy-source-if-none-match',
  'x-amz-copy-source-if-modified-since', 'x-amz-copy-source-if-unmodified-since',
  'x-amz-metadata-directive', 'x-amz-tagging', 'x-amz-tagging-directive', 'x-amz-storage-class',
  'x-amz-website-redirect-location', 'x-amz-expected-bucket-owner', 'x-amz-request-payer',
  'x-amz-checksum-algorithm', 'x-amz-sdk-checksum-algorithm', 'x-amz-checksum-mode',
]);
const PASSED_PREFIXES = ['x-amz-meta-', 'x-amz-server-side-encryption', 'x-amz-object-lock-'];
const CHECKSUM_HEADERS = ['x-amz-checksum-crc32', 'x-amz-checksum-crc32c', 'x-amz-checksum-crc64nvme', 'x-amz-checksum-sha1', 'x-amz-checksum-sha256'];

/** The headers to send on (lower-case names, single values), before the gateway's signature. */
export function upstreamHeaders(client: IncomingHttpHeaders, awsChunked: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(client)) {
    const value = client[name];
    if (value === undefined) continue;
    if (name === 'x-amz-acl' || name.startsWith('x-amz-grant-')) {
      throw new S3Failure('NotImplemented', 501, 'ACL headers are not passed: the gateway decides object access, not the store');
    }
    // A checksum sent as a header is checked by the store; one announced as a trailer is checked by the gateway.
    const passed = PASSED.has(name) || PASSED_PREFIXES.some((p) => name.startsWith(p)) || (CHECKSUM_HEADERS.includes(name) && !awsChunked);
    if (passed) out[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const encoding = client['content-encoding'];
  if (encoding) {
    const rest = encoding.split(',').map((e) => e.trim()).filter((e) => e && e !== 'aws-chunked');
    if (rest.length) out['content-encoding'] = rest.join(',');
  }
  return out;
}
