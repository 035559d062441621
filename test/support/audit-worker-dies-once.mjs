// Tests only: the real audit worker, except that the first worker of a test (per base directory)
// dies right after its first commit, before it can answer: the case of a worker killed between
// COMMIT and its reply.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

const marker = path.join(workerData.baseDir, 'audit-worker-died');
const post = parentPort.postMessage.bind(parentPort);
parentPort.postMessage = (reply) => {
  if (reply.seqs?.length && !existsSync(marker)) {
    writeFileSync(marker, '');
    process.exit(1);
  }
  post(reply);
};

register();
await import('../../src/audit/append/worker-main.ts');
