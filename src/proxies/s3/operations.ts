// Classify stage for S3, part one: which S3 operation a path-style request is, on which bucket and
// key. Only the operations listed here are passed on, each with the query parameters it may carry;
// anything else (an ACL, a bucket policy, a lifecycle rule, an unknown sub-resource) is refused as
// NotImplemented, never forwarded undecided. Keys are taken as S3 takes them (any UTF-8, up to 1024
// bytes), except segments that an S3-compatible store might resolve to another key ("." and ".."
// segments, "//"): the gateway decides on the key as written, so such keys are refused.
import { BUCKET_NAME } from './config.js';
import { S3Failure } from './s3-error.js';
import { percentDecode, type QueryParam } from './sigv4/encoding.js';

export type S3Action = 'dataset.read' | 'dataset.list' | 'dataset.write' | 'dataset.delete';

export type S3OperationName =
  | 'ListBuckets' | 'ListObjectsV2' | 'HeadBucket' | 'GetBucketLocation'
  | 'GetObject' | 'HeadObject' | 'PutObject' | 'CopyObject' | 'DeleteObject'
  | 'CreateMultipartUpload' | 'UploadPart' | 'UploadPartCopy' | 'CompleteMultipartUpload' | 'AbortMultipartUpload';

export interface S3Operation {
  readonly name: S3OperationName;
  readonly action: S3Action;
  readonly bucket?: string;
  readonly key?: string;
  /** The operation's own query parameters (authentication and `x-id` left out), decoded. */
  readonly params: ReadonlyMap<string, string>;
  /** The request has a body to stream to the store. */
  readonly upload: boolean;
}

interface Rule {
  readonly name: S3OperationName;
  readonly action: S3Action;
  readonly target: 'service' | 'bucket' | 'object';
  readonly method: string;
  /** The parameter that names the operation (`?uploads`), if any. */
  readonly marker?: string;
  readonly params: readonly string[];
  readonly upload?: boolean;
  readonly copy?: boolean;
}

const RESPONSE_OVERRIDES = ['response-content-type', 'response-content-disposition', 'response-cache-control', 'response-content-encoding', 'response-content-language', 'response-expires'];

/** Most specific first: a rule with a marker or a copy source wins over the plain one. */
const RULES: readonly Rule[] = [
  { name: 'ListBuckets', action: 'dataset.list', target: 'service', method: 'GET', params: [] },
  { name: 'ListObjectsV2', action: 'dataset.list', target: 'bucket', method: 'GET', marker: 'list-type', params: ['prefix', 'delimiter', 'max-keys', 'continuation-token', 'start-after', 'encoding-type', 'fetch-owner'] },
  { name: 'GetBucketLocation', action: 'dataset.list', target: 'bucket', method: 'GET', marker: 'location', params: [] },
  { name: 'HeadBucket', action: 'dataset.list', target: 'bucket', method: 'HEAD', params: [] },
  { name: 'CreateMultipartUpload', action: 'dataset.write', target: 'object', method: 'POST', marker: 'uploads', params: [] },
  { name: 'CompleteMultipartUpload', action: 'dataset.write', target: 'object', method: 'POST', marker: 'uploadId', params: [], upload: true },
  { name: 'UploadPartCopy', action: 'dataset.write', target: 'object', method: 'PUT', marker: 'uploadId', params: ['partNumber'], copy: true },
  { name: 'UploadPart', action: 'dataset.write', target: 'object', method: 'PUT', marker: 'uploadId', params: ['partNumber'], upload: true },
  { name: 'AbortMultipartUpload', action: 'dataset.write', target: 'object', method: 'DELETE', marker: 'uploadId', params: [] },
  { name: 'CopyObject', action: 'dataset.write', target: 'object', method: 'PUT', params: [], copy: true },
  { name: 'PutObject', action: 'dataset.write', target: 'object', method: 'PUT', params: [], upload: true },
  { name: 'GetObject', action: 'dataset.read', target: 'object', method: 'GET', params: ['versionId', 'partNumber', 'x-amz-checksum-mode', ...RESPONSE_OVERRIDES] },
  { name: 'HeadObject', action: 'dataset.read', target: 'object', method: 'HEAD', params: ['versionId', 'partNumber', 'x-amz-checksum-mode'] },
  { name: 'DeleteObject', action: 'dataset.delete', target: 'object', method: 'DELETE', params: ['versionId'] },
];

/** Query parameters of SigV4 (presigned URLs) and the SDKs' `x-id`: never part of an operation. */
const isAuthParam = (name: string) => name.startsWith('X-Amz-') || name === 'x-id';

const MAX_KEY_BYTES = 1024;

/**
 * The operation of a request. `path` is the raw path after the resource mount (`/bucket/key`),
 * `hasCopySource` whether x-amz-copy-source is present.
 */
export function classifyOperation(method: string, path: string, query: readonly QueryParam[], hasCopySource: boolean): S3Operation {
  const { bucket, key } = splitPath(path);
  const target = bucket === undefined ? 'service' : key === undefined ? 'bucket' : 'object';
  const params = new Map<string, string>();
  for (const p of query) {
    if (isAuthParam(p.name)) continue;
    if (params.has(p.name)) throw new S3Failure('InvalidArgument', 400, `the query parameter ${p.name} appears twice`);
    params.set(p.name, p.value);
  }
  const rule = RULES.find((r) => r.target === target && r.method === method && (!r.marker || params.has(r.marker)) && (!r.copy || hasCopySource));
  const allowed = rule && new Set([...(rule.marker ? [rule.marker] : []), ...rule.params]);
  const extra = rule ? [...params.keys()].find((k) => !allowed!.has(k)) : undefined;
  if (!rule || extra !== undefined || (hasCopySource && !rule.copy)) {
    const what = `${method} ${target}${extra !== undefined ? ` ?${extra}` : [...params.keys()].map((k) => ` ?${k}`).join('')}`;
    throw new S3Failure('NotImplemented', 501, `the gateway does not pass this S3 request (${what}); it passes object reads, writes, deletes, copies, multipart uploads and listings`);
  }
  if (rule.name === 'ListObjectsV2' && params.get('list-type') !== '2') throw new S3Failure('NotImplemented', 501, 'only ListObjectsV2 (list-type=2) is passed');
  return { name: rule.name, action: rule.action, bucket, key, params, upload: Boolean(rule.upload) };
}

function splitPath(path: string): { bucket?: string; key?: string } {
  const rest = path.slice(1);
  if (rest === '') return {};
  const slash = rest.indexOf('/');
  const bucket = percentDecode(slash === -1 ? rest : rest.slice(0, slash));
  if (bucket === undefined || !BUCKET_NAME.test(bucket)) throw new S3Failure('InvalidBucketName', 400, 'The specified bucket is not valid.');
  if (slash === -1 || slash === rest.length - 1) return { bucket };
  const key = percentDecode(rest.slice(slash + 1));
  if (key === undefined) throw new S3Failure('InvalidURI', 400, 'Couldn\'t parse the specified URI.');
  return { bucket, key: checkKey(key) };
}

/** A key the gateway can decide on as the store will read it (see the header). */
export function checkKey(key: string): string {
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new S3Failure('KeyTooLongError', 400, 'Your key is too long');
  const segments = key.split('/');
  // A trailing "/" (a folder marker like "train/") is an ordinary key.
  if (segments.some((s, i) => s === '.' || s === '..' || (s === '' && i < segments.length - 1))) {
    throw new S3Failure('InvalidArgument', 400, 'keys with "." or ".." segments or "//" are refused: an S3-compatible store may read them as another key');
  }
  return key;
}

/** `x-amz-copy-source` (`bucket/key` or `/bucket/key`, URL-encoded, optional `?versionId=`) as bucket and key. */
export function copySource(header: string): { bucket: string; key: string; versionId?: string } {
  const q = header.indexOf('?');
  const path = (q === -1 ? header : header.slice(0, q)).replace(/^\//, '');
  const version = q === -1 ? undefined : /^versionId=(.+)$/.exec(header.slice(q + 1))?.[1];
  if (q !== -1 && version === undefined) throw new S3Failure('InvalidArgument', 400, 'x-amz-copy-source may carry only ?versionId=');
  const { bucket, key } = splitPath(`/${path}`);
  if (!bucket || key === undefined) throw new S3Failure('InvalidArgument', 400, 'x-amz-copy-source must name a bucket and a key');
  return { bucket, key, ...(version !== undefined ? { versionId: percentDecode(version) ?? version } : {}) };
}
