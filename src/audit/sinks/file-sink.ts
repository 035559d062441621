// The file SIEM sink: appends each record's exact line plus "\n" (JSON Lines, the same bytes as
// `airlock audit export`) and fsyncs before the batch counts as delivered, so the cursor never
// runs ahead of the disk. Delivery is at least once: after a crash between the fsync and the
// cursor update, the batch is appended again, and a reader de-duplicates by `seq`.
// The file is opened per batch, so a log shipper may rotate (rename) it at any time. A new file is
// readable by its owner and group (a shipper's), never by every local user: it is the audit log.
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { SinkTarget } from './types.js';

export function fileSink(config: { readonly path: string }, baseDir: string): SinkTarget {
  const file = path.resolve(baseDir, config.path);
  return {
    // The resolved path: should the config move, a cursor for another file is never reused
    // (which would skip records); the new file simply starts from the beginning.
    name: `file:${file}`,
    label: `file:${file}`,
    async deliver(records, signal) {
      signal.throwIfAborted();
      await mkdir(path.dirname(file), { recursive: true, mode: 0o750 });
      // 'a+': appends always land at the end; reading is for the torn-line check below.
      const fh = await open(file, 'a+', 0o640);
      let size: number | undefined;
      try {
        size = (await fh.stat()).size;
        // A crash mid-write can leave a torn last line; start on a fresh line so only that one
        // line is unreadable, not the first record of this batch as well.
        const torn = size > 0 && !(await endsWithNewline(fh, size));
        const text = (torn ? '\n' : '') + records.map((r) => `${r.line}\n`).join('');
        await fh.appendFile(text, 'utf8');
        await fh.sync();
      } catch (err) {
        // Undo a partial append so the retry does not leave a torn line behind.
        if (size !== undefined) await fh.truncate(size).catch(() => undefined);
        throw err;
      } finally {
        await fh.close().catch(() => undefined);
      }
    },
  };
}

async function endsWithNewline(fh: FileHandle, size: number): Promise<boolean> {
  const last = Buffer.alloc(1);
  await fh.read(last, 0, 1, size - 1);
  return last[0] === 0x0a;
}
