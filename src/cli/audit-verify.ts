// `airlock audit verify`: recompute the Merkle tree and hold it to the signed checkpoints, either
// from the store (`--config`) or offline from an export, a checkpoint and a public key. Exits 1
// naming the first record or checkpoint that does not match.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { KeyObject } from 'node:crypto';
import { loadOrCreateSigningKey, loadPublicKey, verifyLog, type LogRecord, type VerifyLogResult } from '../audit/log/index.js';
import { resolveFrom } from '../config/load.js';
import type { AuditStore } from '../store/ports.js';
import { withStore } from './shared.js';

export interface VerifyOptions {
  readonly config: string;
  readonly checkpoint?: string;
  readonly export?: string;
  readonly publicKey?: string;
}

const PAGE = 4096;

/** The store's records, with their stored leaf hashes fetched alongside for exact blame. */
function storeRecords(store: AuditStore, leaves: Map<number, Buffer>): AsyncIterable<LogRecord> {
  return {
    async *[Symbol.asyncIterator]() {
      for (let after = -1; ; ) {
        const page = await store.readAudit(after, PAGE);
        if (!page.length) return;
        const hashes = await store.readNodes(page.map((r) => ({ level: 0, index: r.seq }))).catch(() => []);
        hashes.forEach((h, i) => leaves.set(page[i]!.seq, h));
        for (const r of page) {
          yield r;
          leaves.delete(r.seq);
        }
        after = page[page.length - 1]!.seq;
      }
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
    if (!saved || !opts.publicKey) {
      process.stderr.write('offline verification needs --export, --checkpoint and --public-key\n');
      process.exitCode = 2;
      return;
    }
    const publicKey: KeyObject = await loadPublicKey(opts.publicKey);
    report(await verifyLog({ records: exportRecords(opts.export), checkpoints: [saved], publicKey, savedCheckpoint: saved }));
    return;
  }
  await withStore(opts.config, async (store, loaded) => {
    const publicKey = opts.publicKey
      ? await loadPublicKey(opts.publicKey)
      : (await loadOrCreateSigningKey(resolveFrom(loaded, loaded.config.audit.signing_key_file))).publicKey;
    const leaves = new Map<number, Buffer>();
    const checkpoints = (await store.audit.listCheckpoints()).map((c) => c.note);
    report(
      await verifyLog({
        records: storeRecords(store.audit, leaves),
        checkpoints,
        publicKey,
        expectedOrigin: loaded.config.audit.origin,
        ...(saved ? { savedCheckpoint: saved } : {}),
        storedLeafHashes: (seq) => leaves.get(seq),
      }),
    );
  });
}
