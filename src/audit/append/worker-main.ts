// The audit worker thread: opens its own connection to the store and commits the batches the
// gateway's audit writer sends it. Everything per record that costs CPU (the record line, the
// Merkle hashes, the SQL) happens here, off the thread that serves requests.
// A store that cannot be opened (PostgreSQL down at start, a volume not mounted yet) is opened
// again with backoff, each failure reported to the gateway (id -1) for its log; meanwhile batches
// are answered with the error at once, so requests are refused rather than held, and the first
// batch after the store opens is committed.
import { parentPort, workerData } from 'node:worker_threads';
import { openStore, type Store } from '../../store/index.js';
import type { AuditBatch, EncodedEntry } from '../../store/ports.js';
import { errorMessage } from '../../lib/errors.js';

interface Init {
  readonly url: string;
  readonly baseDir: string;
}

type Request =
  | { readonly id: number; readonly lines: string; readonly batch?: AuditBatch }
  | { readonly id: number; readonly close: true };

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 10_000;

const { url, baseDir } = workerData as Init;
const port = parentPort!;

let opened = open(FIRST_RETRY_MS);

function open(retryMs: number): Promise<Store> {
  const attempt = openStore(url, baseDir);
  attempt.catch((err: unknown) => {
    port.postMessage({ id: -1, error: errorMessage(err), retryMs });
    setTimeout(() => (opened = open(Math.min(retryMs * 2, MAX_RETRY_MS))), retryMs);
  });
  return attempt;
}

port.on('message', (msg: Request) => {
  void (async () => {
    try {
      const store = await opened;
      if ('close' in msg) {
        await store.close();
        port.postMessage({ id: msg.id, seqs: [] });
        return;
      }
      const entries = msg.lines.split('\n') as EncodedEntry[];
      const records = await store.audit.appendAudit(entries, msg.batch);
      port.postMessage({ id: msg.id, seqs: records.map((r) => r.seq) });
    } catch (err) {
      port.postMessage({ id: msg.id, error: errorMessage(err), code: (err as { code?: string }).code });
    }
  })();
});
