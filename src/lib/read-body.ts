// Reads a request body into memory under a limit. The decision may depend on the body (the model
// an inference call names; later the digest an approval is bound to), so it is read whole before
// deciding; the limit keeps that bounded.
import type { IncomingMessage } from 'node:http';
import { AirlockError } from './errors.js';

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new AirlockError('payload_too_large', `request body exceeds ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new AirlockError('payload_too_large', `request body exceeds ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.on('error', () => reject(new AirlockError('bad_request', 'the request body could not be read')));
  });
}
