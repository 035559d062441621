// Datasets end to end (CONTRACT section 12): the real AWS SDK, presigner and multipart uploader
// against `airlock serve` fronting an s3rver store. Object reads, writes, deletes, ranges,
// streaming uploads, multipart, listings filtered to what the caller may read, copies decided on
// both ends, approvals for pii reads, and the audit records that name bucket, key and ETag.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListBucketsCommand,
  ListObjectsV2Command, paginateListObjectsV2, PutObjectCommand, S3ServiceException, type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Upload } from '@aws-sdk/lib-storage';
import { startS3Gateway, type S3Gateway } from '../support/s3-gateway.js';
import { runCli } from '../support/airlock-process.js';

let gw: S3Gateway;
let trainer: S3Client;

async function s3Error(p: Promise<unknown>): Promise<S3ServiceException & { AirlockCode?: string; ApprovalId?: string }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof S3ServiceException, String(err));
    return err as S3ServiceException & { AirlockCode?: string; ApprovalId?: string };
  }
  return assert.fail('expected an S3 error');
}

async function seed(key: string, body: string) {
  await gw.store.direct.send(new PutObjectCommand({ Bucket: 'train', Key: key, Body: body }));
}

async function auditRecords(): Promise<Record<string, unknown>[]> {
  const out = await runCli(['audit', 'export', '--config', gw.airlock.configFile]);
  return out.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

before(async () => {
  gw = await startS3Gateway();
  trainer = gw.client(await gw.createKey('trainer', 'trainers'));
  for (const k of ['public/a.csv', 'public/b.csv', 'public/c.csv', 'pii/people.csv', 'pii/more.csv', 'other/x.csv']) await seed(k, `rows of ${k}`);
});
after(() => gw.close());

describe('s3 objects through the gateway', () => {
  it('writes, reads, heads, range-reads and deletes an object, re-signed for the store', async () => {
    const put = await trainer.send(new PutObjectCommand({ Bucket: 'train', Key: 'scratch/notes v1+.txt', Body: 'hello datasets', ContentType: 'text/plain' }));
    assert.ok(put.ETag);
    const got = await trainer.send(new GetObjectCommand({ Bucket: 'train', Key: 'scratch/notes v1+.txt' }));
    assert.equal(await got.Body!.transformToString(), 'hello datasets');
    assert.equal(got.ContentType, 'text/plain');
    const head = await trainer.send(new HeadObjectCommand({ Bucket: 'train', Key: 'scratch/notes v1+.txt' }));
    assert.equal(head.ContentLength, 14);
    const range = await trainer.send(new GetObjectCommand({ Bucket: 'train', Key: 'scratch/notes v1+.txt', Range: 'bytes=6-13' }));
    assert.equal(await range.Body!.transformToString(), 'datasets');
    const direct = await gw.store.direct.send(new GetObjectCommand({ Bucket: 'train', Key: 'scratch/notes v1+.txt' }));
    assert.equal(await direct.Body!.transformToString(), 'hello datasets', 'the store holds the very key');
    await trainer.send(new DeleteObjectCommand({ Bucket: 'train', Key: 'scratch/notes v1+.txt' }));
    assert.equal((await s3Error(trainer.send(new HeadObjectCommand({ Bucket: 'train', Key: 'scratch/notes v1+.txt' })))).$metadata.httpStatusCode, 404);
  });

  it('streams an upload of unknown chunks (the SDK default: aws-chunked with a CRC32 trailer)', async () => {
    const parts = Array.from({ length: 40 }, (_, i) => Buffer.alloc(50_000, i));
    await trainer.send(new PutObjectCommand({ Bucket: 'train', Key: 'scratch/stream.bin', Body: Readable.from(parts), ContentLength: 2_000_000 }));
    const got = await gw.store.direct.send(new GetObjectCommand({ Bucket: 'train', Key: 'scratch/stream.bin' }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    assert.equal(createHash('sha256').update(bytes).digest('hex'), createHash('sha256').update(Buffer.concat(parts)).digest('hex'));
  });

  it('uploads in parts with lib-storage (create, parts, complete) and reads the whole back', async () => {
    const data = Buffer.alloc(12 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4096) data.writeUInt32BE(i, i);
    const upload = new Upload({ client: trainer, params: { Bucket: 'train', Key: 'scratch/multi.bin', Body: Readable.from([data]) }, partSize: 5 * 1024 * 1024, queueSize: 2 });
    const done = await upload.done();
    assert.ok(done.ETag);
    const got = await trainer.send(new GetObjectCommand({ Bucket: 'train', Key: 'scratch/multi.bin' }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(data));
  });

  it('serves a presigned GET URL, and refuses it once changed', async () => {
    const url = await getSignedUrl(trainer, new GetObjectCommand({ Bucket: 'train', Key: 'public/a.csv' }), { expiresIn: 300 });
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'rows of public/a.csv');
    const forged = await fetch(url.replace('public/a.csv', 'public/b.csv'));
    assert.equal(forged.status, 403);
    assert.match(await forged.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
  });
});

describe('s3 listings hold only what the caller may read', () => {
  it('pages through a bucket with MaxKeys 1 and never names a pii key', async () => {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: trainer, pageSize: 1 }, { Bucket: 'train' })) {
      assert.ok((page.KeyCount ?? 0) <= 1);
      keys.push(...(page.Contents ?? []).map((c) => c.Key!));
    }
    assert.ok(keys.includes('public/a.csv') && keys.includes('other/x.csv'));
    assert.ok(!keys.some((k) => k.startsWith('pii/')), keys.join());
  });

  it('shows common prefixes of a delimited listing, and refuses to list a prefix the policy keeps closed', async () => {
    const pages = [];
    for await (const page of paginateListObjectsV2({ client: trainer }, { Bucket: 'train', Delimiter: '/' })) pages.push(page);
    const prefixes = pages.flatMap((p) => (p.CommonPrefixes ?? []).map((c) => c.Prefix));
    assert.ok(prefixes.includes('public/') && prefixes.includes('other/'), prefixes.join());
    const inside = await trainer.send(new ListObjectsV2Command({ Bucket: 'train', Prefix: 'public/' }));
    assert.deepEqual(inside.Contents!.map((c) => c.Key), ['public/a.csv', 'public/b.csv', 'public/c.csv']);
    const closed = await s3Error(trainer.send(new ListObjectsV2Command({ Bucket: 'train', Prefix: 'pii/' })));
    assert.equal(closed.name, 'AccessDenied');
    assert.equal(closed.AirlockCode, 'denied');
  });

  it('lists buckets', async () => {
    const { Buckets } = await trainer.send(new ListBucketsCommand({}));
    assert.deepEqual(Buckets!.map((b) => b.Name).sort(), ['exports', 'train']);
  });
});

describe('s3 copies and approvals', () => {
  it('copies a public object, and refuses to copy a pii object out of its prefix at all', async () => {
    await trainer.send(new CopyObjectCommand({ Bucket: 'train', Key: 'scratch/a-copy.csv', CopySource: 'train/public/a.csv' }));
    const copied = await gw.store.direct.send(new GetObjectCommand({ Bucket: 'train', Key: 'scratch/a-copy.csv' }));
    assert.equal(await copied.Body!.transformToString(), 'rows of public/a.csv');
    const refused = await s3Error(trainer.send(new CopyObjectCommand({ Bucket: 'train', Key: 'scratch/p.csv', CopySource: 'train/pii/people.csv' })));
    assert.equal(refused.name, 'AccessDenied');
    assert.ok((await s3Error(gw.store.direct.send(new HeadObjectCommand({ Bucket: 'train', Key: 'scratch/p.csv' })))).$metadata.httpStatusCode === 404);
  });

  it('reads a pii object only after a data steward approves, with Airlock-Approval on the retry', async () => {
    const refused = await s3Error(trainer.send(new GetObjectCommand({ Bucket: 'train', Key: 'pii/people.csv' })));
    assert.equal(refused.name, 'AccessDenied');
    assert.equal(refused.AirlockCode, 'approval_required');
    const approvalId = refused.ApprovalId!;
    assert.ok(approvalId);
    const steward = await gw.airlock.token({ sub: 'sam', groups: ['data-stewards'] });
    const vote = await fetch(`${gw.airlock.adminUrl}/api/v1/approvals/${approvalId}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${steward}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'model card review' }),
    });
    assert.equal(vote.status, 200);
    const withApproval = gw.client(await gw.createKey('trainer-2', 'trainers'));
    const other = await s3Error(withApproval.send(new GetObjectCommand({ Bucket: 'train', Key: 'pii/people.csv' }), { requestTimeout: 5000 } as never));
    assert.equal(other.AirlockCode, 'approval_required', 'an approval is not another principal\'s');
    trainer.middlewareStack.add((next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers['airlock-approval'] = approvalId;
      return next(args);
    }, { step: 'finalizeRequest', name: 'airlockApproval' });
    try {
      const got = await trainer.send(new GetObjectCommand({ Bucket: 'train', Key: 'pii/people.csv' }));
      assert.equal(await got.Body!.transformToString(), 'rows of pii/people.csv');
      const again = await s3Error(trainer.send(new GetObjectCommand({ Bucket: 'train', Key: 'pii/people.csv' })));
      assert.equal(again.name, 'AccessDenied', 'an approval is spent once');
    } finally {
      trainer.middlewareStack.remove('airlockApproval');
    }
  });

  it('records each decision and outcome with bucket, key, dataset and ETag', async () => {
    const put = await trainer.send(new PutObjectCommand({ Bucket: 'train', Key: 'scratch/audited.txt', Body: 'x' }));
    const records = await auditRecords();
    const decision = records.filter((r) => r.kind === 'decision' && r.key === 'scratch/audited.txt').at(-1)!;
    assert.equal(decision.action, 'dataset.write');
    assert.equal(decision.resource, 'Dataset::"data/train/scratch/audited.txt"');
    assert.equal(decision.bucket, 'train');
    assert.equal(decision.dataset, 'data/train/scratch/');
    assert.equal(decision.operation, 'PutObject');
    const outcome = records.find((r) => r.kind === 'outcome' && r.request_id === decision.request_id)!;
    assert.equal(outcome.etag, put.ETag);
    assert.equal(outcome.received_bytes, 1);
    const copy = records.filter((r) => r.kind === 'decision' && r.operation === 'CopyObject' && (r.context as { source?: string }).source === 'data/train/pii/people.csv');
    assert.deepEqual(copy.map((r) => [r.copy, r.decision]), [['source', 'approval_required']]);
    const json = JSON.stringify(records);
    assert.ok(!json.includes('S3RVER'), 'the store credential never enters a record');
  });
});
