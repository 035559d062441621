// An S3-compatible store for tests: s3rver (a real S3 wire implementation on the local disk) with
// buckets made up front, behind a small counting relay, so a test can tell whether a request
// reached the store at all and whether it arrived whole.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from './s3rver-node20.js';
import { tempDir } from '../../src/lib/test-temp-dir.js';

// The SDK's notice that its 2027 releases will need node 22 says nothing about these tests.
process.removeAllListeners('warning');

/** s3rver's own account: the gateway's `inject.aws`. */
export const STORE_CREDENTIALS = { access_key_id: 'S3RVER', secret_access_key: 'S3RVER' };

export interface TestStore {
  /** The counting relay in front of s3rver: the gateway's `upstream`. */
  readonly url: string;
  /** A client straight to the store, to check what really landed. */
  readonly direct: S3Client;
  /** Requests whose whole body reached the store, by method and path. */
  readonly completed: string[];
  /** Requests that reached the relay at all. */
  readonly started: () => number;
  close(): Promise<void>;
}

export async function startS3Store(buckets: readonly string[]): Promise<TestStore> {
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, directory: tempDir('s3rver'), silent: true, configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = (await s3rver.run()) as AddressInfo;
  const completed: string[] = [];
  let started = 0;
  const relay: Server = createServer((req, res) => {
    started++;
    const up = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.on('end', () => completed.push(`${req.method} ${req.url}`));
    req.on('aborted', () => up.destroy());
    req.on('error', () => up.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
  const direct = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: STORE_CREDENTIALS.access_key_id, secretAccessKey: STORE_CREDENTIALS.secret_access_key },
  });
  return {
    url,
    direct,
    completed,
    started: () => started,
    async close() {
      direct.destroy();
      relay.closeAllConnections();
      await new Promise((resolve) => relay.close(resolve));
      await s3rver.close();
    },
  };
}
