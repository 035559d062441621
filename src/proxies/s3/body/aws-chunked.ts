// Decodes an `aws-chunked` upload (Content-Encoding: aws-chunked) into the object's bytes, checking
// as it goes: each chunk's signature chained from the request's (STREAMING-AWS4-HMAC-SHA256-PAYLOAD),
// the trailing headers' signature (...-PAYLOAD-TRAILER), the trailing checksum (the SDKs' default
// STREAMING-UNSIGNED-PAYLOAD-TRAILER sends x-amz-checksum-crc32 after the body), and that the
// decoded length is exactly x-amz-decoded-content-length. The wire format is
// `hex-size[;chunk-signature=sig]\r\n data \r\n`, ending with a zero-size chunk, then trailing
// header lines and an empty line.
import { createHash, type Hash } from 'node:crypto';
import { S3Failure } from '../s3-error.js';
import { EMPTY_SHA256, hmac, sha256HexOf, signaturesEqual } from '../sigv4/signing-key.js';
import { runningChecksum, type RunningChecksum } from './checksum.js';
import { HeldBackTransform, incompleteBody } from './held-back.js';

/** What chunk signatures chain from: the verified request's signing key, date, scope and signature. */
export interface ChunkSigning {
  readonly signingKey: Buffer;
  readonly amzDate: string;
  readonly scope: string;
  readonly seedSignature: string;
}

export interface AwsChunkedOptions {
  readonly decodedLength: number;
  /** Present for the signed forms: every chunk (and the trailer, when there is one) must be signed. */
  readonly signing?: ChunkSigning;
  /** The trailing header the client announced (x-amz-trailer), if any. */
  readonly trailer?: string;
}

const MAX_LINE = 4096;
const CRLF = Buffer.from('\r\n');
const badChunk = (why: string) => new S3Failure('InvalidChunkSizeError', 400, `The aws-chunked body is malformed: ${why}`);
const badSignature = () => new S3Failure('SignatureDoesNotMatch', 403, 'A chunk signature does not match the signature we calculated.');

type State = 'size' | 'data' | 'data-crlf' | 'trailer' | 'done';

export class AwsChunkedBody extends HeldBackTransform {
  private state: State = 'size';
  private line = '';
  private remaining = 0;
  private crlfSeen = 0;
  private chunkHash: Hash | undefined;
  private chunkSignature = '';
  private previousSignature: string;
  private readonly checksum: RunningChecksum | undefined;
  private readonly trailers = new Map<string, string>();
  private trailerSignature: string | undefined;

  constructor(private readonly opts: AwsChunkedOptions) {
    super();
    this.previousSignature = opts.signing?.seedSignature ?? '';
    this.checksum = opts.trailer ? runningChecksum(opts.trailer) : undefined;
  }

  protected consume(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      switch (this.state) {
        case 'size':
        case 'trailer': {
          const nl = chunk.indexOf(0x0a, i);
          const end = nl === -1 ? chunk.length : nl + 1;
          this.line += chunk.toString('latin1', i, end);
          i = end;
          if (this.line.length > MAX_LINE) throw badChunk('a line is too long');
          if (nl !== -1) this.endOfLine();
          break;
        }
        case 'data': {
          const n = Math.min(this.remaining, chunk.length - i);
          const piece = chunk.subarray(i, i + n);
          this.chunkHash?.update(piece);
          this.checksum?.update(piece);
          this.release(piece);
          this.remaining -= n;
          i += n;
          if (this.remaining === 0) this.endOfData();
          break;
        }
        case 'data-crlf':
          if (chunk[i] !== CRLF[this.crlfSeen]) throw badChunk('a chunk is longer than its size');
          i++;
          if (++this.crlfSeen === 2) this.state = 'size';
          break;
        case 'done':
          throw incompleteBody('there are bytes after the end of the aws-chunked body');
      }
    }
  }

  protected finish(): void {
    if (this.state !== 'done') throw incompleteBody('the aws-chunked body ended early');
    if (this.bytes !== this.opts.decodedLength) throw incompleteBody('the decoded body is shorter than x-amz-decoded-content-length');
  }

  private endOfLine(): void {
    if (!this.line.endsWith('\r\n')) throw badChunk('lines must end with CRLF');
    const text = this.line.slice(0, -2);
    this.line = '';
    if (this.state === 'size') this.sizeLine(text);
    else this.trailerLine(text);
  }

  private sizeLine(text: string): void {
    const m = /^([0-9a-fA-F]{1,16})(?:;chunk-signature=([0-9a-f]{64}))?$/.exec(text);
    if (!m) throw badChunk('a chunk size line is malformed');
    if (this.opts.signing && !m[2]) throw badChunk('a chunk has no chunk-signature');
    const size = parseInt(m[1]!, 16);
    if (size > this.opts.decodedLength - this.bytes) throw incompleteBody('the chunks hold more than x-amz-decoded-content-length');
    this.chunkSignature = m[2] ?? '';
    this.chunkHash = this.opts.signing ? createHash('sha256') : undefined;
    this.remaining = size;
    if (size > 0) {
      this.state = 'data';
      return;
    }
    this.checkChunkSignature(EMPTY_SHA256);
    this.state = 'trailer';
  }

  private endOfData(): void {
    if (this.chunkHash) this.checkChunkSignature(this.chunkHash.digest('hex'));
    this.state = 'data-crlf';
    this.crlfSeen = 0;
  }

  private checkChunkSignature(dataSha256: string): void {
    const s = this.opts.signing;
    if (!s) return;
    const toSign = `AWS4-HMAC-SHA256-PAYLOAD\n${s.amzDate}\n${s.scope}\n${this.previousSignature}\n${EMPTY_SHA256}\n${dataSha256}`;
    const expected = hmac(s.signingKey, toSign).toString('hex');
    if (!signaturesEqual(expected, this.chunkSignature)) throw badSignature();
    this.previousSignature = expected;
  }

  private trailerLine(text: string): void {
    if (text !== '') {
      const colon = text.indexOf(':');
      if (colon <= 0) throw badChunk('a trailing header is malformed');
      const name = text.slice(0, colon).trim().toLowerCase();
      const value = text.slice(colon + 1).trim();
      if (name === 'x-amz-trailer-signature') this.trailerSignature = value;
      else if (this.trailers.has(name) || this.trailerSignature !== undefined) throw badChunk('trailing headers are repeated or follow the trailer signature');
      else this.trailers.set(name, value);
      return;
    }
    this.checkTrailers();
    this.state = 'done';
  }

  private checkTrailers(): void {
    const expected = this.opts.trailer;
    const names = [...this.trailers.keys()];
    if (!expected ? names.length > 0 : names.length !== 1 || names[0] !== expected) {
      throw new S3Failure('MalformedTrailerError', 400, `The request must carry exactly the trailing headers it announced in x-amz-trailer${expected ? ` (${expected})` : ''}.`);
    }
    const s = this.opts.signing;
    if (s && expected) {
      const canonical = `${expected}:${this.trailers.get(expected)}\n`;
      const toSign = `AWS4-HMAC-SHA256-TRAILER\n${s.amzDate}\n${s.scope}\n${this.previousSignature}\n${sha256HexOf(canonical)}`;
      if (!signaturesEqual(hmac(s.signingKey, toSign).toString('hex'), this.trailerSignature ?? '')) throw badSignature();
    } else if (this.trailerSignature !== undefined) {
      throw badChunk('an unsigned upload carries a trailer signature');
    }
    if (expected && this.checksum!.base64() !== this.trailers.get(expected)) {
      throw new S3Failure('BadDigest', 400, `The ${expected} you specified did not match the calculated checksum.`);
    }
  }
}
