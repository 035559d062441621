// Audit log benchmark (not a test): append throughput, proof cost at 1M leaves, and a full
// verifyLog pass over 1M ~300-byte lines. Run: npx tsx src/audit/log/log.bench.ts [leaves]

import { generateKeyPairSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { signCheckpoint } from './checkpoint.js';
import { leafHash } from './hash.js';
import { MemoryNodeStore } from './memory-node-store.js';
import { consistencyProof, inclusionProof } from './proofs.js';
import { appendLeaves, EMPTY_HEAD, rootHash, type TreeHead } from './tree-head.js';
import { verifyLog } from './verify-log.js';

const N = Number(process.argv[2] ?? 1_000_000);
const time = async <T>(what: string, fn: () => T | Promise<T>, per = N): Promise<T> => {
  const t0 = performance.now();
  const out = await fn();
  const ms = performance.now() - t0;
  console.log(`${what}: ${ms.toFixed(0)} ms (${Math.round((per / ms) * 1000).toLocaleString('en')}/s)`);
  return out;
};

const pad = 'x'.repeat(180);
const line = (seq: number): string =>
  `{"v":1,"seq":${seq},"kind":"decision","ts":${1_700_000_000_000 + seq},"principal":"Agent::\\"agent-${seq % 97}\\"","action":"openai:chat","effect":"allow","pad":"${pad}"}`;
console.log(`line length ~${line(N - 1).length} bytes, N=${N.toLocaleString('en')}`);

const leaves = await time('leafHash', () => Array.from({ length: N }, (_, i) => leafHash(line(i))));

const store = new MemoryNodeStore();
let head: TreeHead = EMPTY_HEAD;
let nodeCount = 0;
await time('appendLeaves, batches of 100 (group commit)', () => {
  for (let at = 0; at < N; at += 100) {
    const step = appendLeaves(head, leaves.slice(at, at + 100));
    head = step.head;
    nodeCount += step.nodes.length;
    store.put(step.nodes);
  }
});
await time('appendLeaves, one batch', () => appendLeaves(EMPTY_HEAD, leaves));
console.log(`stored nodes: ${nodeCount.toLocaleString('en')} (${(nodeCount / N).toFixed(2)} per leaf), head edges ${head.edges.length}`);

for (const size of [N, N - 37]) {
  const PROOFS = 10_000;
  const before = { reads: store.reads, nodes: store.nodesRead };
  let maxNodes = 0;
  await time(`inclusionProof at size ${size}`, async () => {
    for (let k = 0; k < PROOFS; k++) {
      const n0 = store.nodesRead;
      await inclusionProof(Math.floor(Math.random() * size), size, store);
      maxNodes = Math.max(maxNodes, store.nodesRead - n0);
    }
  }, PROOFS);
  console.log(`  reads/proof ${(store.reads - before.reads) / PROOFS}, nodes/proof avg ${((store.nodesRead - before.nodes) / PROOFS).toFixed(1)} max ${maxNodes}`);
  const b2 = { reads: store.reads, nodes: store.nodesRead };
  maxNodes = 0;
  await time(`consistencyProof(m, ${size})`, async () => {
    for (let k = 0; k < PROOFS; k++) {
      const n0 = store.nodesRead;
      await consistencyProof(1 + Math.floor(Math.random() * size), size, store);
      maxNodes = Math.max(maxNodes, store.nodesRead - n0);
    }
  }, PROOFS);
  console.log(`  reads/proof ${(store.reads - b2.reads) / PROOFS}, nodes/proof avg ${((store.nodesRead - b2.nodes) / PROOFS).toFixed(1)} max ${maxNodes}`);
}

// Checkpoints every 10k records, as a busy gateway signing every few seconds would leave.
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const checkpoints: string[] = [];
let h: TreeHead = EMPTY_HEAD;
for (let at = 0; at < N; at += 10_000) {
  h = appendLeaves(h, leaves.slice(at, at + 10_000)).head;
  checkpoints.push(signCheckpoint({ origin: 'bench/audit', size: h.size, root: rootHash(h) }, privateKey));
}
async function* records(): AsyncIterable<{ seq: number; line: string }> {
  for (let i = 0; i < N; i++) yield { seq: i, line: line(i) };
}
const result = await time(`verifyLog (${checkpoints.length} checkpoints, lines generated on the fly)`, () =>
  verifyLog({ records: records(), checkpoints, publicKey }),
);
if (!result.ok) throw new Error(result.error);
await time('  of which generating lines', async () => { let x = 0; for await (const r of records()) x += r.line.length; return x; });
