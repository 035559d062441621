// `airlock audit verify`: recompute the Merkle tree and hold it to the signed checkpoints, either
// from the store (`--config`) or offline from an export, a checkpoint and a public key. From the
// store it also holds the stored nodes and head (what proofs are served from) to the lines, which
// catches an edit no checkpoint covers yet. Exits 1 naming the first record, stored node or
// checkpoint that does not match.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { KeyObject } from 'node:crypto';
import {
  loadOrCreateSigningKey,
  loadPublicKey,
  verifyLog,
  type LogRecord,
  type StoredTree,
  type VerifyLogResult,
} from '../audit/log/index.js';
import { resolveFrom } from '../config/load.js';
import { isStoredLevel } from '../store/audit-nodes.js';
import type { AuditStore, NodeKey } from '../store/ports.js';
import { withStore } from './shared.js';

export interface VerifyOptions {
  readonly config: string;
  readonly checkpoint?: string;
  readonly export?: string;
  /** One or more public keys (PEM files): the current one, and keys retired by rotation. */
  readonly publicKey?: readonly string[];
}

const PAGE = 4096;

async function* storeRecords(store: AuditStore): AsyncIterable<LogRecord> {
  for (let after = -1; ; ) {
    const page = await store.readAudit(after, PAGE);
    if (!page.length) return;
    yield* page;
    after = page[page.length - 1]!.seq;
  }
}

const isMissing = (err: unknown) => err instanceof Error && /missing/.test(err.message);

/** Stored hashes of `keys`; on a damaged store, read one by one so each missing one is named. */
async function readStoredNodes(store: AuditStore, keys: readonly NodeKey[]): Promise<(Buffer | 'missing')[]> {
  try {
    return await store.readNodes(keys);
  } catch (err) {
    if (!isMissing(err)) throw err;
    const one = (k: NodeKey) => store.readNodes([k]).then(([h]) => h!, (e: unknown) => (isMissing(e) ? ('missing' as const) : Promise.reject(e)));
    return Promise.all(keys.map(one));
  }
}

/**
 * The store's tree as of now. Only the nodes it stores are compared: the lower ones it derives
 * from the very lines being verified, so comparing them would prove nothing and read every line
 * twice. Nodes past the head (appended while verify runs) are left for the next run.
 */
async function storedTree(store: AuditStore): Promise<StoredTree> {
  const head = await store.auditHead();
  const kept = (k: NodeKey) => isStoredLevel(k.level) && (k.index + 1) * 2 ** k.level <= head.size;
  return {
    head,
    async nodes(keys) {
      const asked = keys.filter(kept);
      const hashes = await readStoredNodes(store, asked);
      const byKey = new Map(asked.map((k, i) => [k, hashes[i]]));
      return keys.map((k) => byKey.get(k));
    },
  };
}

async function* exportRecords(file: string): AsyncIterable<LogRecord> {
  let seq = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line === '') continue;
    yield { seq: seq++, line };
  }
}

function report(result: VerifyLogResult): void {
  if (result.ok) {
    const unsigned = result.size - result.checkpointed;
    process.stdout.write(`ok: ${result.size} records, root ${result.root.toString('base64')}\n`);
    if (unsigned > 0) process.stdout.write(`note: the last ${unsigned} records are not yet covered by a signed checkpoint\n`);
  } else {
    process.stderr.write(`FAIL: ${result.error}\n`);
    process.exitCode = 1;
  }
}

export async function verifyCommand(opts: VerifyOptions): Promise<void> {
  const saved = opts.checkpoint ? await readFile(opts.checkpoint, 'utf8') : undefined;
  if (opts.export) {
    if (!saved || !opts.publicKey?.length) {
      process.stderr.write('offline verification needs --export, --checkpoint and --public-key\n');
      process.exitCode = 2;
      return;
    }
    const publicKey: KeyObject[] = await Promise.all(opts.publicKey.map(loadPublicKey));
    report(await verifyLog({ records: exportRecords(opts.export), checkpoints: [saved], publicKey, savedCheckpoint: saved }));
    return;
  }
  await withStore(opts.config, async (store, loaded) => {
    const publicKey = opts.publicKey?.length
      ? await Promise.all(opts.publicKey.map(loadPublicKey))
      : [
          (await loadOrCreateSigningKey(resolveFrom(loaded, loaded.config.audit.signing_key_file))).publicKey,
          ...(await Promise.all(loaded.config.audit.previous_public_keys.map((f) => loadPublicKey(resolveFrom(loaded, f))))),
        ];
    const stored = await storedTree(store.audit);
    const checkpoints = (await store.audit.listCheckpoints()).map((c) => c.note);
    report(
      await verifyLog({
        records: storeRecords(store.audit),
        checkpoints,
        publicKey,
        expectedOrigin: loaded.config.audit.origin,
        ...(saved ? { savedCheckpoint: saved } : {}),
        stored,
      }),
    );
  });
}
