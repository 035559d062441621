// The verifiers against Certificate Transparency's published vectors, and their refusal of every
// kind of altered proof.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { leafHash } from './hash.js';
import { MemoryNodeStore } from './memory-node-store.js';
import { consistencyProof, inclusionProof } from './proofs.js';
import { appendLeaves, EMPTY_HEAD, rootHash } from './tree-head.js';
import { verifyConsistency, verifyInclusion } from './verify-proofs.js';

const h = (s: string): Buffer => Buffer.from(s, 'hex');
// RFC 6962 test leaves and the roots of their prefixes, as published with CT's reference suite.
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(h);
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(h);
const INCLUSION_0_OF_8 = [
  '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
  '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
  '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
].map(h);
const INCLUSION_5_OF_8 = [
  'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
].map(h);
const CONSISTENCY_2_TO_5 = [
  '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
  'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
].map(h);

function ctLog(): MemoryNodeStore {
  const store = new MemoryNodeStore();
  store.put(appendLeaves(EMPTY_HEAD, CT_LEAVES.map((d) => leafHash(d))).nodes);
  return store;
}

describe('proofs match the Certificate Transparency test vectors', () => {
  it('reproduces the published roots of the eight-leaf tree', () => {
    for (let n = 1; n <= 8; n++) {
      const { head } = appendLeaves(EMPTY_HEAD, CT_LEAVES.slice(0, n).map((d) => leafHash(d)));
      assert.deepEqual(rootHash(head), CT_ROOTS[n - 1], `size ${n}`);
    }
    assert.equal(rootHash(EMPTY_HEAD).toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('produces and accepts the published inclusion and consistency proofs', async () => {
    const store = ctLog();
    assert.deepEqual(await inclusionProof(0, 8, store), INCLUSION_0_OF_8);
    assert.deepEqual(await inclusionProof(5, 8, store), INCLUSION_5_OF_8);
    assert.deepEqual(await consistencyProof(1, 8, store), INCLUSION_0_OF_8);
    assert.deepEqual(await consistencyProof(2, 5, store), CONSISTENCY_2_TO_5);
    assert.ok(verifyInclusion(leafHash(CT_LEAVES[5]!), 5, 8, INCLUSION_5_OF_8, CT_ROOTS[7]!));
    assert.ok(verifyConsistency(2, 5, CONSISTENCY_2_TO_5, CT_ROOTS[1]!, CT_ROOTS[4]!));
  });
});

describe('verifiers refuse altered proofs', () => {
  const n = 77;
  const leaves = Array.from({ length: n }, (_, i) => leafHash(`leaf ${i}`));
  const store = new MemoryNodeStore();
  const { head, nodes } = appendLeaves(EMPTY_HEAD, leaves);
  store.put(nodes);
  const root = rootHash(head);
  const flip = (b: Buffer, at: number): Buffer => { const c = Buffer.from(b); c[at % 32]! ^= 1; return c; };

  it('refuses an inclusion proof with a wrong leaf, index, size, root, element or length', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: n - 1 }), fc.nat(), async (i, r) => {
        const proof = await inclusionProof(i, n, store);
        const leaf = leaves[i]!;
        assert.ok(verifyInclusion(leaf, i, n, proof, root));
        assert.equal(verifyInclusion(flip(leaf, r), i, n, proof, root), false);
        assert.equal(verifyInclusion(leaf, (i + 1 + (r % (n - 1))) % n, n, proof, root), false);
        // A size with the same path shape would verify: the checkpoint binds size to root, not the proof.
        assert.equal(verifyInclusion(leaf, i, 2 * n, proof, root), false);
        assert.equal(verifyInclusion(leaf, i, n, proof, flip(root, r)), false);
        const at = r % proof.length;
        assert.equal(verifyInclusion(leaf, i, n, proof.map((p, j) => (j === at ? flip(p, r) : p)), root), false);
        assert.equal(verifyInclusion(leaf, i, n, proof.slice(0, -1), root), false);
        assert.equal(verifyInclusion(leaf, i, n, [...proof, leaf], root), false);
        assert.equal(verifyInclusion(leaf, n, n, proof, root), false);
      }),
    );
  });

  it('refuses a consistency proof with a wrong size, root, element or length', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: n - 1 }), fc.nat(), async (m, r) => {
        const proof = await consistencyProof(m, n, store);
        const oldRoot = rootHash(appendLeaves(EMPTY_HEAD, leaves.slice(0, m)).head);
        assert.ok(verifyConsistency(m, n, proof, oldRoot, root));
        assert.equal(verifyConsistency(m, n, proof, flip(oldRoot, r), root), false);
        assert.equal(verifyConsistency(m, n, proof, oldRoot, flip(root, r)), false);
        const at = r % proof.length;
        assert.equal(verifyConsistency(m, n, proof.map((p, j) => (j === at ? flip(p, r) : p)), oldRoot, root), false);
        assert.equal(verifyConsistency(m, n, proof.slice(0, -1), oldRoot, root), false);
        assert.equal(verifyConsistency(m, n, [...proof, root], oldRoot, root), false);
        assert.equal(verifyConsistency(m, 2 * n, proof, oldRoot, root), false);
        assert.equal(verifyConsistency(n, m, proof, root, oldRoot), false);
      }),
    );
  });

  it('settles the edge sizes: equal trees need equal roots, the empty tree precedes any', () => {
    assert.ok(verifyConsistency(n, n, [], root, root));
    assert.equal(verifyConsistency(n, n, [], flip(root, 0), root), false);
    assert.equal(verifyConsistency(n, n, [root], root, root), false);
    assert.ok(verifyConsistency(0, n, [], rootHash(EMPTY_HEAD), root));
    assert.equal(verifyConsistency(0, n, [root], rootHash(EMPTY_HEAD), root), false);
    assert.equal(verifyInclusion(leaves[0]!, -1, n, [], root), false);
    assert.equal(verifyInclusion(leaves[0]!, 0, 1.5, [], root), false);
  });
});
