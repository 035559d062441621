// A body sent as it is (not aws-chunked): exactly Content-Length bytes, and when the client signed
// its SHA-256 (x-amz-content-sha256 in hex) that digest, computed as the bytes stream past.
import { createHash, type Hash } from 'node:crypto';
import { S3Failure } from '../s3-error.js';
import { HeldBackTransform, incompleteBody } from './held-back.js';

export class PlainBody extends HeldBackTransform {
  private readonly hash: Hash | undefined;

  constructor(
    private readonly length: number,
    private readonly sha256Hex: string | undefined,
  ) {
    super();
    this.hash = sha256Hex ? createHash('sha256') : undefined;
  }

  protected consume(chunk: Buffer): void {
    if (this.bytes + chunk.length > this.length) throw incompleteBody('the body is longer than Content-Length');
    this.hash?.update(chunk);
    this.release(chunk);
  }

  protected finish(): void {
    if (this.bytes !== this.length) throw incompleteBody('the body is shorter than Content-Length');
    if (this.hash && this.hash.digest('hex') !== this.sha256Hex) {
      throw new S3Failure('XAmzContentSHA256Mismatch', 400, "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
  }
}
