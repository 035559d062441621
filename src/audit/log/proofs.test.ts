// Holds the production tree head, proofs and verifiers to an independent reference written here
// from the RFC 9162 section 2.1 definitions (recursive MTH, PATH, PROOF/SUBPROOF), plus the
// Certificate Transparency test vectors. The reference imports nothing from production code.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MemoryNodeStore } from './memory-node-store.js';
import { consistencyProof, headAt, inclusionProof, rootAt, subtreeHash } from './proofs.js';
import { appendLeaves, EMPTY_HEAD, rootHash, type TreeHead } from './tree-head.js';
import { verifyConsistency, verifyInclusion } from './verify-proofs.js';

// ---- reference (RFC 9162 section 2.1), deliberately naive ----
const sha = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();
const refLeaf = (d: Buffer): Buffer => sha(Buffer.from([0]), d);
const refNode = (l: Buffer, r: Buffer): Buffer => sha(Buffer.from([1]), l, r);
const kOf = (n: number): number => { let k = 1; while (k * 2 < n) k *= 2; return k; };
function MTH(D: Buffer[]): Buffer {
  if (D.length === 0) return sha();
  if (D.length === 1) return refLeaf(D[0]!);
  const k = kOf(D.length);
  return refNode(MTH(D.slice(0, k)), MTH(D.slice(k)));
}
function PATH(m: number, D: Buffer[]): Buffer[] {
  if (D.length === 1) return [];
  const k = kOf(D.length);
  return m < k
    ? [...PATH(m, D.slice(0, k)), MTH(D.slice(k))]
    : [...PATH(m - k, D.slice(k)), MTH(D.slice(0, k))];
}
function SUBPROOF(m: number, D: Buffer[], b: boolean): Buffer[] {
  if (m === D.length) return b ? [] : [MTH(D)];
  const k = kOf(D.length);
  return m <= k
    ? [...SUBPROOF(m, D.slice(0, k), b), MTH(D.slice(k))]
    : [...SUBPROOF(m - k, D.slice(k), false), MTH(D.slice(0, k))];
}
const PROOF = (m: number, D: Buffer[]): Buffer[] => SUBPROOF(m, D, true);
// Reference verifiers: undo the recursions above, consuming the proof from its outer end.
function refRootFromPath(m: number, n: number, leaf: Buffer, proof: Buffer[]): Buffer | null {
  if (n === 1) return proof.length === 0 ? leaf : null;
  const last = proof[proof.length - 1];
  if (!last) return null;
  const k = kOf(n);
  const inner = m < k ? refRootFromPath(m, k, leaf, proof.slice(0, -1)) : refRootFromPath(m - k, n - k, leaf, proof.slice(0, -1));
  return inner && (m < k ? refNode(inner, last) : refNode(last, inner));
}
function refRoots(m: number, n: number, b: boolean, old: Buffer, proof: Buffer[]): [Buffer, Buffer] | null {
  if (m === n) {
    if (b) return proof.length === 0 ? [old, old] : null;
    return proof.length === 1 ? [proof[0]!, proof[0]!] : null;
  }
  const last = proof[proof.length - 1];
  if (!last) return null;
  const k = kOf(n);
  if (m <= k) {
    const r = refRoots(m, k, b, old, proof.slice(0, -1));
    return r && [r[0], refNode(r[1], last)];
  }
  const r = refRoots(m - k, n - k, false, old, proof.slice(0, -1));
  return r && [refNode(last, r[0]), refNode(last, r[1])];
}
const refVerifyInclusion = (leaf: Buffer, m: number, n: number, proof: Buffer[], root: Buffer): boolean =>
  refRootFromPath(m, n, leaf, proof)?.equals(root) ?? false;
function refVerifyConsistency(m: number, n: number, proof: Buffer[], oldRoot: Buffer, newRoot: Buffer): boolean {
  const r = refRoots(m, n, true, oldRoot, proof);
  return r !== null && r[0].equals(oldRoot) && r[1].equals(newRoot);
}
// ---- end of reference ----

const data = (n: number, salt = 0): Buffer[] => Array.from({ length: n }, (_, i) => Buffer.from(`record ${salt}:${i}`));

/** The production log over D, appended in the given batch sizes. */
function build(D: Buffer[], batches: number[] = [D.length]): { head: TreeHead; store: MemoryNodeStore } {
  const store = new MemoryNodeStore();
  let head = EMPTY_HEAD;
  let at = 0;
  for (const b of [...batches, D.length]) {
    const appended = appendLeaves(head, D.slice(at, Math.min(D.length, at + b)).map(refLeaf));
    store.put(appended.nodes);
    head = appended.head;
    at = Math.min(D.length, at + b);
  }
  return { head, store };
}

const hex = (bs: Buffer[]): string[] => bs.map((b) => b.toString('hex'));
/** A tree size in 1..300 and something drawn for it. */
const sizeAnd = <T>(f: (n: number) => fc.Arbitrary<T>): fc.Arbitrary<[number, T]> =>
  fc.integer({ min: 1, max: 300 }).chain((n) => fc.tuple(fc.constant(n), f(n)));

describe('merkle tree and proofs against the RFC 9162 reference', () => {
  it('computes the recursive MTH for every size, however the leaves were batched', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.array(fc.integer({ min: 1, max: 40 })), (n, batches) => {
        const D = data(n);
        assert.deepEqual(rootHash(build(D, batches).head), MTH(D));
      }),
    );
  });

  it('gives the root and head of any earlier size from stored nodes', async () => {
    await fc.assert(
      fc.asyncProperty(sizeAnd((n) => fc.integer({ min: 0, max: n })), async ([n, m]) => {
        const D = data(n);
        const { store } = build(D);
        assert.deepEqual(await rootAt(m, store), MTH(D.slice(0, m)));
        assert.deepEqual(rootHash(await headAt(m, store)), MTH(D.slice(0, m)));
      }),
    );
  });

  it('produces the reference inclusion proof, which both verifiers accept', async () => {
    await fc.assert(
      fc.asyncProperty(sizeAnd((n) => fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: n, max: 300 }))), async ([n, [i, current]]) => {
        const D = data(current);
        const { store } = build(D);
        const proof = await inclusionProof(i, n, store);
        const want = PATH(i, D.slice(0, n));
        assert.deepEqual(hex(proof), hex(want));
        const root = MTH(D.slice(0, n));
        assert.ok(refVerifyInclusion(refLeaf(D[i]!), i, n, proof, root));
        assert.ok(verifyInclusion(refLeaf(D[i]!), i, n, proof, root));
      }),
    );
  });

  it('produces the reference consistency proof, which both verifiers accept', async () => {
    await fc.assert(
      fc.asyncProperty(sizeAnd((n) => fc.integer({ min: 1, max: n })), async ([n, m]) => {
        const D = data(n);
        const { store } = build(D);
        const proof = await consistencyProof(m, n, store);
        assert.deepEqual(hex(proof), hex(PROOF(m, D)));
        assert.ok(refVerifyConsistency(m, n, proof, MTH(D.slice(0, m)), MTH(D)));
        assert.ok(verifyConsistency(m, n, proof, MTH(D.slice(0, m)), MTH(D)));
      }),
    );
  });

  it('agrees with the reference for every m <= n <= 40 and every leaf', async () => {
    const D = data(40);
    const { store } = build(D);
    for (let n = 1; n <= 40; n++) {
      const root = MTH(D.slice(0, n));
      for (let m = 1; m <= n; m++) {
        const oldRoot = MTH(D.slice(0, m));
        const proof = await consistencyProof(m, n, store);
        assert.deepEqual(hex(proof), hex(PROOF(m, D.slice(0, n))), `consistency ${m}->${n}`);
        assert.ok(verifyConsistency(m, n, proof, oldRoot, root), `verify consistency ${m}->${n}`);
        assert.equal(verifyConsistency(m, n, proof, root.equals(oldRoot) ? sha() : root, root), false);
      }
      for (let i = 0; i < n; i++) {
        const proof = await inclusionProof(i, n, store);
        assert.deepEqual(hex(proof), hex(PATH(i, D.slice(0, n))), `inclusion ${i} in ${n}`);
        assert.ok(verifyInclusion(refLeaf(D[i]!), i, n, proof, root));
      }
    }
  });
});
