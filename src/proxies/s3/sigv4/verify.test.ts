// SigV4 verification against the worked examples in AWS's S3 documentation (same credentials,
// times and signatures), then the refusals, and a property: any change to a signed request fails.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../lib/fuzz-runs.js';
import type { Principal } from '../../../model/principal.js';
import { S3Failure } from '../s3-error.js';
import { readSigV4Auth } from './auth-params.js';
import { parseQuery, percentDecode } from './encoding.js';
import { SigV4Verifier } from './verify.js';

const AKID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const T0 = Date.UTC(2013, 4, 24);
const agent: Principal = { type: 'Agent', id: 'trainer', groups: [], mfa: false, mfaAge: 0, authMethod: 'api_key' };

function verifier(now = T0) {
  return new SigV4Verifier('us-east-1', async (id) => (id === AKID ? { principal: agent, secretId: 'x', secret: () => SECRET } : undefined), () => now);
}

type Headers = Record<string, string>;
function check(method: string, url: string, headers: Headers, now = T0) {
  const q = url.indexOf('?');
  const query = parseQuery(q === -1 ? '' : url.slice(q + 1))!;
  const distinct = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), [v]]));
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const auth = readSigV4Auth(lower, query);
  assert.ok(auth);
  return verifier(now).verify({ method, path: percentDecode(q === -1 ? url : url.slice(0, q))!, query, headers: distinct }, auth);
}

async function refused(p: Promise<unknown> | (() => Promise<unknown>), code: string) {
  await assert.rejects(typeof p === 'function' ? p() : p, (err: unknown) => err instanceof S3Failure && err.s3Code === code);
}

const GET_OBJECT: Headers = {
  Host: 'examplebucket.s3.amazonaws.com',
  Range: 'bytes=0-9',
  'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'x-amz-date': '20130524T000000Z',
  Authorization: `AWS4-HMAC-SHA256 Credential=${AKID}/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41`,
};

const PUT_OBJECT: Headers = {
  Host: 'examplebucket.s3.amazonaws.com',
  Date: 'Fri, 24 May 2013 00:00:00 GMT',
  'x-amz-date': '20130524T000000Z',
  'x-amz-storage-class': 'REDUCED_REDUNDANCY',
  'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
  Authorization: `AWS4-HMAC-SHA256 Credential=${AKID}/20130524/us-east-1/s3/aws4_request,SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd`,
};

const PRESIGNED =
  `/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${AKID}%2F20130524%2Fus-east-1%2Fs3%2Faws4_request` +
  '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';

describe('SigV4 verification', () => {
  it("accepts AWS's signed GET, PUT (an encoded $ in the key) and presigned examples", async () => {
    assert.equal((await check('GET', '/test.txt', GET_OBJECT)).principal.id, 'trainer');
    await check('PUT', '/test%24file.text', PUT_OBJECT);
    await check('PUT', '/test$file.text', PUT_OBJECT); // the same key spelled unencoded
    await check('GET', PRESIGNED, { Host: 'examplebucket.s3.amazonaws.com' });
  });

  it('refuses a wrong signature, a changed header, path, method or query', async () => {
    await refused(check('GET', '/test.txt', { ...GET_OBJECT, Range: 'bytes=0-99' }), 'SignatureDoesNotMatch');
    await refused(check('GET', '/test2.txt', GET_OBJECT), 'SignatureDoesNotMatch');
    await refused(check('HEAD', '/test.txt', GET_OBJECT), 'SignatureDoesNotMatch');
    await refused(check('GET', '/test.txt?acl', GET_OBJECT), 'SignatureDoesNotMatch');
    await refused(check('GET', PRESIGNED.replace('test.txt', 'other.txt'), { Host: 'examplebucket.s3.amazonaws.com' }), 'SignatureDoesNotMatch');
  });

  it('refuses unknown keys, requests outside 15 minutes and expired presigned URLs', async () => {
    await refused(check('GET', '/test.txt', { ...GET_OBJECT, Authorization: GET_OBJECT.Authorization!.replace(AKID, 'AKIAUNKNOWN') }), 'InvalidAccessKeyId');
    await check('GET', '/test.txt', GET_OBJECT, T0 + 15 * 60_000);
    await refused(check('GET', '/test.txt', GET_OBJECT, T0 + 15 * 60_000 + 1), 'RequestTimeTooSkewed');
    await refused(check('GET', '/test.txt', GET_OBJECT, T0 - 16 * 60_000), 'RequestTimeTooSkewed');
    await check('GET', PRESIGNED, { Host: 'examplebucket.s3.amazonaws.com' }, T0 + 86_400_000);
    await refused(check('GET', PRESIGNED, { Host: 'examplebucket.s3.amazonaws.com' }, T0 + 86_400_001), 'AccessDenied');
  });

  it('refuses unsigned x-amz-* headers, a wrong region, malformed and doubled authentication', async () => {
    await refused(check('GET', PRESIGNED, { Host: 'examplebucket.s3.amazonaws.com', 'x-amz-copy-source': '/other/secret' }), 'AccessDenied');
    await refused(check('GET', '/test.txt', { ...GET_OBJECT, Authorization: GET_OBJECT.Authorization!.replace('us-east-1', 'eu-west-1') }), 'AuthorizationHeaderMalformed');
    await refused(async () => check('GET', '/test.txt', { ...GET_OBJECT, Authorization: 'AWS4-HMAC-SHA256 Credential=x' }), 'AuthorizationHeaderMalformed');
    await refused(async () => check('GET', '/test.txt', { ...GET_OBJECT, Authorization: 'AWS AKID:c2ln' }), 'InvalidRequest');
    await refused(async () => check('GET', PRESIGNED, GET_OBJECT), 'InvalidArgument');
    await refused(async () => check('GET', PRESIGNED.replace('86400', '604801'), { Host: 'h' }), 'AuthorizationQueryParametersError');
  });

  it('refuses every single-character change to a signed request (property)', async () => {
    const fields = ['path', 'range', 'date', 'signature'] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...fields), fc.nat(), fc.constantFrom(...'abcdef0123456789xyz/.'), async (field, at, ch) => {
        const h = { ...GET_OBJECT };
        let path = '/test.txt';
        const swap = (s: string, skip = 0) => {
          const i = skip + (at % (s.length - skip));
          return s[i] === ch ? s : s.slice(0, i) + ch + s.slice(i + 1);
        };
        if (field === 'path') path = swap(path, 1);
        if (field === 'range') h.Range = swap(h.Range!);
        if (field === 'date') h['x-amz-date'] = swap(h['x-amz-date']!);
        if (field === 'signature') h.Authorization = h.Authorization!.slice(0, -64) + swap(h.Authorization!.slice(-64));
        if (path === '/test.txt' && h.Range === GET_OBJECT.Range && h['x-amz-date'] === GET_OBJECT['x-amz-date'] && h.Authorization === GET_OBJECT.Authorization) return;
        await assert.rejects(async () => check('GET', path, h), S3Failure);
      }),
      { numRuns: fuzzRuns(300) },
    );
  });
});
