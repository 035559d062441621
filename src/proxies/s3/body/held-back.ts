// The base of the request-body checks: data flows on to the upstream as it arrives, but the last
// piece is held back until the whole body has passed its checks (length, payload hash, chunk
// signatures, trailing checksum). An upstream that was promised N bytes never receives the N-th
// before the gateway is sure of the body, so a failed check aborts the upload instead of storing
// a forged or truncated object. Memory stays at one piece whatever the body's size.
import { Transform, type TransformCallback } from 'node:stream';
import { S3Failure } from '../s3-error.js';

export abstract class HeldBackTransform extends Transform {
  private held: Buffer | undefined;
  /** Why the body was refused, once it was: the surface renders it instead of an upstream error. */
  failure: S3Failure | undefined;
  /** Bytes passed on (the decoded body). */
  bytes = 0;

  /** Reads one piece of the incoming body; throws S3Failure when it is wrong. */
  protected abstract consume(chunk: Buffer): void;
  /** The checks that can only be made at the end; throws S3Failure. */
  protected abstract finish(): void;

  /** Passes `data` on, holding the newest piece back. */
  protected release(data: Buffer): void {
    if (data.length === 0) return;
    this.bytes += data.length;
    if (this.held) this.push(this.held);
    this.held = data;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.consume(chunk);
      done();
    } catch (err) {
      done(this.refuse(err));
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.finish();
      if (this.held) this.push(this.held);
      this.held = undefined;
      done();
    } catch (err) {
      done(this.refuse(err));
    }
  }

  private refuse(err: unknown): Error {
    this.held = undefined;
    this.failure = err instanceof S3Failure ? err : new S3Failure('InternalError', 500, 'the request body could not be read', 'internal');
    return this.failure;
  }
}

export const incompleteBody = (why: string) => new S3Failure('IncompleteBody', 400, `You did not provide the number of bytes specified: ${why}`);
