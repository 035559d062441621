// The bench's S3 store: s3rver in a process of its own (its CPU is not the gateway's), one bucket,
// printing its URL once it listens.
import type { AddressInfo } from 'node:net';
import S3rver from '../test/support/s3rver-node20.js';

const dir = process.env.S3_BENCH_DIR!;
const server = new S3rver({ address: '127.0.0.1', port: 0, directory: dir, silent: true, configureBuckets: [{ name: 'bench' }] });
const { port } = (await server.run()) as AddressInfo;
process.stdout.write(`s3rver on http://127.0.0.1:${port}\n`);
