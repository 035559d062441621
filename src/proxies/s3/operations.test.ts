// Which S3 requests the gateway passes, as what, and which keys it refuses to decide on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyOperation, copySource } from './operations.js';
import { S3Failure } from './s3-error.js';
import { parseQuery } from './sigv4/encoding.js';

const op = (method: string, url: string, copy = false) => {
  const q = url.indexOf('?');
  return classifyOperation(method, q === -1 ? url : url.slice(0, q), parseQuery(q === -1 ? '' : url.slice(q + 1))!, copy);
};
const refused = (fn: () => unknown, code: string) => assert.throws(fn, (e) => e instanceof S3Failure && e.s3Code === code);

describe('S3 operations', () => {
  it('names each passed operation with its action, bucket and key', () => {
    const cases: [string, string, boolean, string, string, string?, string?][] = [
      ['GET', '/', false, 'ListBuckets', 'dataset.list'],
      ['GET', '/train?list-type=2&prefix=pii%2F', false, 'ListObjectsV2', 'dataset.list', 'train'],
      ['HEAD', '/train', false, 'HeadBucket', 'dataset.list', 'train'],
      ['GET', '/train/a%20b+c.csv?x-id=GetObject&X-Amz-Expires=60', false, 'GetObject', 'dataset.read', 'train', 'a b+c.csv'],
      ['PUT', '/train/scratch/x', false, 'PutObject', 'dataset.write', 'train', 'scratch/x'],
      ['PUT', '/train/scratch/x', true, 'CopyObject', 'dataset.write', 'train', 'scratch/x'],
      ['POST', '/train/big?uploads', false, 'CreateMultipartUpload', 'dataset.write', 'train', 'big'],
      ['PUT', '/train/big?partNumber=2&uploadId=u', false, 'UploadPart', 'dataset.write', 'train', 'big'],
      ['POST', '/train/big?uploadId=u', false, 'CompleteMultipartUpload', 'dataset.write', 'train', 'big'],
      ['DELETE', '/train/big?uploadId=u', false, 'AbortMultipartUpload', 'dataset.write', 'train', 'big'],
      ['DELETE', '/train/folder/', false, 'DeleteObject', 'dataset.delete', 'train', 'folder/'],
    ];
    for (const [method, url, copy, name, action, bucket, key] of cases) {
      const o = op(method, url, copy);
      assert.deepEqual([o.name, o.action, o.bucket, o.key], [name, action, bucket, key], `${method} ${url}`);
    }
  });

  it('refuses what it does not pass, never guessing', () => {
    refused(() => op('PUT', '/train/x?acl'), 'NotImplemented');
    refused(() => op('GET', '/train'), 'NotImplemented'); // ListObjects v1
    refused(() => op('POST', '/train?delete'), 'NotImplemented');
    refused(() => op('GET', '/train/x?tagging'), 'NotImplemented');
    refused(() => op('DELETE', '/train/x', true), 'NotImplemented');
    refused(() => op('GET', '/train/x?versionId=1&versionId=2'), 'InvalidArgument');
  });

  it('refuses keys a store might read as another key, and bad bucket names', () => {
    for (const url of ['/train/public/../pii/x', '/train/public/%2E%2E/pii/x', '/train/./x', '/train/public//x', '/train//x']) refused(() => op('GET', url), 'InvalidArgument');
    refused(() => op('GET', '/Train/x'), 'InvalidBucketName');
    refused(() => op('GET', '/train/%ZZ'), 'InvalidURI');
    refused(() => op('GET', `/train/${'k'.repeat(1025)}`), 'KeyTooLongError');
    refused(() => copySource('/train/public/../pii/x'), 'InvalidArgument');
  });

  it('reads a copy source in both spellings, with a version', () => {
    assert.deepEqual(copySource('train/pii/a%20b.csv'), { bucket: 'train', key: 'pii/a b.csv' });
    assert.deepEqual(copySource('/train/pii/a.csv?versionId=v%2B1'), { bucket: 'train', key: 'pii/a.csv', versionId: 'v+1' });
  });
});
