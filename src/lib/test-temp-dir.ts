// Tests only: temporary directories that are removed when the test process exits, once every test
// of the file has read what it needs from them (node --test runs each file in its own process).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A new empty directory under the OS temp dir, named `airlock-<purpose>-XXXXXX`. */
export function tempDir(purpose: string): string {
  const dir = mkdtempSync(join(tmpdir(), `airlock-${purpose}-`));
  made.push(dir);
  return dir;
}
