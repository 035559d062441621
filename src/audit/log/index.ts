// Audit log: the Merkle log's pure, storage-agnostic parts (hashing, tree head, proofs,
// checkpoints, signing key, verification). Re-exports only.

export { HASH_SIZE, emptyRoot, leafHash, nodeHash } from './hash.js';
export type { NodeKey } from './subtrees.js';
export {
  EMPTY_HEAD,
  appendLeaves,
  assertTreeHead,
  deserializeHead,
  extendHead,
  rootHash,
  serializeHead,
  type StoredNode,
  type TreeHead,
} from './tree-head.js';
export {
  consistencyProof,
  headAt,
  inclusionProof,
  rootAt,
  subtreeHash,
  type NodeReader,
} from './proofs.js';
export { verifyConsistency, verifyInclusion } from './verify-proofs.js';
export { keyId, openNote, parseNote, signNote, verifierKey, type Note, type NoteSignature } from './signed-note.js';
export {
  checkpointBody,
  parseCheckpoint,
  signCheckpoint,
  verifyCheckpoint,
  type Checkpoint,
  type ParsedCheckpoint,
} from './checkpoint.js';
export { loadOrCreateSigningKey, loadPublicKey, publicKeyPem, type SigningKey } from './signing-key.js';
export { verifyLog, type LogRecord, type VerifyLogOptions, type VerifyLogResult } from './verify-log.js';
export type { StoredTree } from './verify-stored.js';
export { MemoryNodeStore } from './memory-node-store.js';
