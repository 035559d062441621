// An independent check of Airlock's proofs, written from RFC 9162 sections 2.1.3.2 and 2.1.4.2
// (not from the production code), plus the C2SP signed-note signature check.
import { createHash, createPublicKey, verify } from 'node:crypto';

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const node = (l: Buffer, r: Buffer) => sha256(Buffer.from([1]), l, r);
export const leafOf = (data: string) => sha256(Buffer.from([0]), Buffer.from(data, 'utf8'));

export function verifyInclusionRfc(leaf: Buffer, index: number, size: number, proof: Buffer[], root: Buffer): boolean {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else r = node(r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

export function verifyConsistencyRfc(first: number, second: number, proof: Buffer[], firstRoot: Buffer, secondRoot: Buffer): boolean {
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (first > second || first === 0 || proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = node(c, fr);
      sr = node(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else sr = node(sr, c);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(firstRoot) && sr.equals(secondRoot) && sn === 0;
}

/** Checks a signed note's Ed25519 signature by `name` and returns its checkpoint fields. */
export function openCheckpoint(note: string, publicKeyPem: string, name: string): { origin: string; size: number; root: Buffer } {
  const split = note.indexOf('\n\n');
  const body = note.slice(0, split + 1);
  const key = createPublicKey(publicKeyPem);
  const raw = key.export({ format: 'der', type: 'spki' }).subarray(-32);
  const keyId = createHash('sha256').update(Buffer.concat([Buffer.from(name), Buffer.from([0x0a, 0x01]), raw])).digest().subarray(0, 4);
  const sigLine = note.slice(split + 2).split('\n').find((l) => l.startsWith(`\u2014 ${name} `));
  if (!sigLine) throw new Error('no signature line for the key name');
  const blob = Buffer.from(sigLine.slice(`\u2014 ${name} `.length), 'base64');
  if (!blob.subarray(0, 4).equals(keyId)) throw new Error('key id mismatch');
  if (!verify(null, Buffer.from(body), key, blob.subarray(4))) throw new Error('bad signature');
  const [origin, size, root] = body.split('\n');
  return { origin: origin!, size: Number(size), root: Buffer.from(root!, 'base64') };
}
