// The request-body checks: aws-chunked decoding with chunk signatures (AWS's worked example),
// trailing checksums as the SDKs send them, payload hashes and lengths; and the promise the
// upstream relies on: a body that fails a check never delivers its last bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { S3Failure } from '../s3-error.js';
import { deriveSigningKey } from '../sigv4/signing-key.js';
import { AwsChunkedBody } from './aws-chunked.js';
import type { HeldBackTransform } from './held-back.js';
import { PlainBody } from './plain-body.js';

async function run(check: HeldBackTransform, pieces: Buffer[]): Promise<{ out: Buffer; error?: S3Failure }> {
  const got: Buffer[] = [];
  const sink = new Writable({ write: (c: Buffer, _e, done) => (got.push(c), done()) });
  try {
    await pipeline(Readable.from(pieces), check, sink);
    return { out: Buffer.concat(got) };
  } catch (err) {
    assert.ok(err instanceof S3Failure, String(err));
    assert.equal(check.failure, err);
    return { out: Buffer.concat(got), error: err };
  }
}

/** Splits a buffer into pieces of varying sizes, as a socket would deliver it. */
function pieces(b: Buffer, size = 7): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0, n = size; i < b.length; i += n, n = (n * 3) % 997 + 1) out.push(b.subarray(i, i + n));
  return out;
}

const signing = {
  signingKey: deriveSigningKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '20130524', 'us-east-1'),
  amzDate: '20130524T000000Z',
  scope: '20130524/us-east-1/s3/aws4_request',
  seedSignature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
};
const SIGNED_EXAMPLE = Buffer.concat([
  Buffer.from('10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n'),
  Buffer.alloc(65536, 'a'),
  Buffer.from('\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n'),
  Buffer.alloc(1024, 'a'),
  Buffer.from('\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n'),
]);
const SDK_TRAILER = Buffer.from('3\r\nabc\r\n3\r\ndef\r\n0\r\nx-amz-checksum-crc32:S4457w==\r\n\r\n');

describe('S3 request bodies', () => {
  it("decodes AWS's signed aws-chunked example, chunk signatures checked", async () => {
    const { out, error } = await run(new AwsChunkedBody({ decodedLength: 66560, signing }), pieces(SIGNED_EXAMPLE));
    assert.equal(error, undefined);
    assert.deepEqual(out, Buffer.alloc(66560, 'a'));
  });

  it('refuses a changed byte or a changed chunk signature, and withholds the last bytes', async () => {
    const changed = Buffer.from(SIGNED_EXAMPLE);
    changed[1000] = 0x62;
    const r = await run(new AwsChunkedBody({ decodedLength: 66560, signing }), pieces(changed));
    assert.equal(r.error?.s3Code, 'SignatureDoesNotMatch');
    assert.ok(r.out.length < 66560);
    const resigned = Buffer.from(SIGNED_EXAMPLE.toString('latin1').replace('b6c6ea8a', 'b6c6ea8b'), 'latin1');
    const s = await run(new AwsChunkedBody({ decodedLength: 66560, signing }), pieces(resigned));
    assert.equal(s.error?.s3Code, 'SignatureDoesNotMatch');
    assert.ok(s.out.length < 66560);
  });

  it('decodes the SDK default (unsigned chunks, CRC32 trailer) and refuses a wrong checksum', async () => {
    const ok = await run(new AwsChunkedBody({ decodedLength: 6, trailer: 'x-amz-checksum-crc32' }), pieces(SDK_TRAILER, 2));
    assert.equal(ok.out.toString(), 'abcdef');
    const bad = await run(new AwsChunkedBody({ decodedLength: 6, trailer: 'x-amz-checksum-crc32' }), [Buffer.from(SDK_TRAILER.toString().replace('abc', 'abd'))]);
    assert.equal(bad.error?.s3Code, 'BadDigest');
    assert.equal(bad.out.toString(), 'abd', 'the last chunk is withheld');
  });

  it('checks CRC32C, SHA-1 and SHA-256 trailers too', async () => {
    const data = Buffer.from('abcdef');
    for (const [name, value] of [
      ['x-amz-checksum-crc32c', 'U7zv8Q=='], // CRC-32C("123456789") is e3069283 here, as the standard says
      ['x-amz-checksum-sha1', createHash('sha1').update(data).digest('base64')],
      ['x-amz-checksum-sha256', createHash('sha256').update(data).digest('base64')],
    ]) {
      const body = Buffer.from(`6\r\nabcdef\r\n0\r\n${name}:${value}\r\n\r\n`);
      const r = await run(new AwsChunkedBody({ decodedLength: 6, trailer: name }), [body]);
      assert.equal(r.error, undefined, name);
    }
  });

  it('refuses bodies longer or shorter than declared, and malformed framing', async () => {
    const cases: [Buffer, number, string][] = [
      [SDK_TRAILER, 5, 'IncompleteBody'],
      [SDK_TRAILER, 7, 'IncompleteBody'],
      [Buffer.concat([SDK_TRAILER, Buffer.from('x')]), 6, 'IncompleteBody'],
      [SDK_TRAILER.subarray(0, 20), 6, 'IncompleteBody'],
      [Buffer.from('3\r\nabcd\r\n'), 3, 'InvalidChunkSizeError'],
      [Buffer.from('zz\r\nabc\r\n'), 3, 'InvalidChunkSizeError'],
      [Buffer.from('3\r\nabc\r\n0\r\n\r\n'), 3, 'MalformedTrailerError'],
    ];
    for (const [body, declared, code] of cases) {
      const r = await run(new AwsChunkedBody({ decodedLength: declared, trailer: 'x-amz-checksum-crc32' }), pieces(body, 3));
      assert.equal(r.error?.s3Code, code, `${JSON.stringify(body.toString())} as ${declared}`);
    }
    const unsignedChunk = await run(new AwsChunkedBody({ decodedLength: 3, signing }), [Buffer.from('3\r\nabc\r\n0\r\n\r\n')]);
    assert.equal(unsignedChunk.error?.s3Code, 'InvalidChunkSizeError');
  });

  it('checks a plain body against Content-Length and its signed SHA-256', async () => {
    const body = Buffer.from('Welcome to Amazon S3.');
    const hash = '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072';
    assert.equal((await run(new PlainBody(body.length, hash), pieces(body, 4))).error, undefined);
    const forged = await run(new PlainBody(body.length, hash), pieces(Buffer.from('Welcome to Amazon S4.'), 4));
    assert.equal(forged.error?.s3Code, 'XAmzContentSHA256Mismatch');
    assert.ok(forged.out.length < body.length);
    assert.equal((await run(new PlainBody(body.length + 1, undefined), [body])).error?.s3Code, 'IncompleteBody');
    assert.equal((await run(new PlainBody(body.length - 1, undefined), [body])).error?.s3Code, 'IncompleteBody');
  });
});
