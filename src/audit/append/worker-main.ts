// The audit worker thread: opens its own connection to the store and commits the batches the
// gateway's audit writer sends it. Everything per record that costs CPU (the record line, the
// Merkle hashes, the SQL) happens here, off the thread that serves requests.
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../../store/index.js';
import type { EncodedEntry } from '../../store/ports.js';
import { errorMessage } from '../../lib/errors.js';

interface Init {
  readonly url: string;
  readonly baseDir: string;
}

type Request = { readonly id: number; readonly lines: string } | { readonly id: number; readonly close: true };

const { url, baseDir } = workerData as Init;
const port = parentPort!;
const opened = openStore(url, baseDir);
opened.catch((err: unknown) => port.postMessage({ id: -1, error: errorMessage(err) }));

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
      const records = await store.audit.appendAudit(entries);
      port.postMessage({ id: msg.id, seqs: records.map((r) => r.seq) });
    } catch (err) {
      port.postMessage({ id: msg.id, error: errorMessage(err), code: (err as { code?: string }).code });
    }
  })();
});
