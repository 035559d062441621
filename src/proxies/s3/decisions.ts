// Classify stage for S3, part three: the decisions one request needs, each with what an approval
// of it is bound to and the facts its record carries. Most operations are one decision on one
// object; a copy is two, `dataset.read` of the source and `dataset.write` of the destination, both
// with `context.source` and `context.destination` (`<name>/<bucket>/<key>`), so a policy can keep
// objects of one dataset from being copied anywhere else. Records name bucket, key and dataset
// prefix as fields of their own, so lineage can follow every dataset read.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { BoundRequest } from '../../approvals/types.js';
import type { ActionRequest } from '../../model/action-request.js';
import type { CedarRecord } from '../../model/entity.js';
import type { BodyPlan } from './body-plan.js';
import type { Datasets, ObjectRef } from './datasets.js';
import type { S3Operation } from './operations.js';
import { awsUriEncode, canonicalQuery } from './sigv4/encoding.js';

export interface PlannedDecision {
  readonly request: ActionRequest;
  readonly bound: BoundRequest;
  readonly fields: Record<string, unknown>;
}

export interface DecisionFacts {
  readonly method: string;
  readonly op: S3Operation;
  readonly headers: IncomingHttpHeaders;
  readonly body?: BodyPlan;
  readonly copyFrom?: ObjectRef & { readonly versionId?: string };
  readonly accessKeyId: string;
}

export function plannedDecisions(f: DecisionFacts, datasets: Datasets): PlannedDecision[] {
  const { op } = f;
  const context: CedarRecord = { operation: op.name };
  const contentType = f.headers['content-type'];
  if (f.body) {
    context.bytes = f.body.length;
    if (contentType) context.content_type = contentType;
  }
  if (typeof f.headers.range === 'string') context.range = f.headers.range;
  const bound = boundOf(f);
  const fields = (o: ObjectRef | undefined, extra: Record<string, unknown> = {}) => ({
    operation: op.name,
    bucket: o?.bucket ?? null,
    key: o?.key ?? null,
    dataset: o ? (datasets.datasetOf(o)?.id ?? null) : null,
    access_key_id: f.accessKeyId,
    ...(op.params.has('uploadId') ? { upload_id: op.params.get('uploadId') } : {}),
    ...(op.params.has('partNumber') ? { part_number: Number(op.params.get('partNumber')) } : {}),
    ...(op.params.has('versionId') ? { version_id: op.params.get('versionId') } : {}),
    ...extra,
  });

  if (op.bucket === undefined) return [{ request: datasets.serviceRequest(op.action, context), bound, fields: fields(undefined) }];
  if (op.key === undefined) {
    const prefix = op.params.get('prefix') ?? '';
    context.prefix = prefix;
    const delimiter = op.params.get('delimiter');
    if (delimiter !== undefined) context.delimiter = delimiter;
    const listed = { bucket: op.bucket, key: prefix };
    return [{ request: datasets.request(op.action, listed, context), bound, fields: fields(listed) }];
  }
  const target = { bucket: op.bucket, key: op.key };
  if (!f.copyFrom) return [{ request: datasets.request(op.action, target, context), bound, fields: fields(target) }];
  const source = datasets.objectId(f.copyFrom);
  const copyContext = { ...context, source, destination: datasets.objectId(target) };
  const sourceVersion = f.copyFrom.versionId === undefined ? {} : { source_version_id: f.copyFrom.versionId };
  return [
    { request: datasets.request('dataset.read', f.copyFrom, copyContext), bound, fields: fields(f.copyFrom, { copy: 'source', ...sourceVersion }) },
    { request: datasets.request(op.action, target, copyContext), bound, fields: fields(target, { copy: 'destination', source }) },
  ];
}

/**
 * The exact action an approval is bound to: method, the canonical path, the operation's own query
 * (authentication parameters left out, so a freshly presigned URL for the same request matches),
 * and the body's signed digest when the client sent one (an unsigned upload binds its object and
 * size, through `context.bytes`, but not its bytes).
 */
function boundOf(f: DecisionFacts): BoundRequest {
  const { op } = f;
  let path = '/';
  if (op.bucket !== undefined) path += awsUriEncode(op.bucket);
  if (op.key !== undefined) path += `/${awsUriEncode(op.key, true)}`;
  const query = canonicalQuery([...op.params].map(([name, value]) => ({ name, value })));
  const copy = f.headers['x-amz-copy-source'];
  const queryDigest = query || copy ? createHash('sha256').update(`${query}\n${copy ?? ''}`).digest('hex') : null;
  return { method: f.method, path, query_sha256: queryDigest, body_sha256: f.body?.sha256 ?? null };
}
