// Reading a bundle directory: its files as (relative path -> content), and a cheap stamp of the
// files' sizes and times that tells when to read them again.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { AirlockError } from '../lib/errors.js';
import { readBundleFiles } from '../decide/bundle-files.js';

export async function readBundleDir(dir: string): Promise<Record<string, string>> {
  try {
    return Object.fromEntries((await readBundleFiles(dir)).contents);
  } catch (err) {
    throw new AirlockError('policy_invalid', `${dir}: cannot read the policy bundle`, {
      problems: [`${dir}: cannot read the policy bundle: ${(err as Error).message}`],
    });
  }
}

export async function filesStamp(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => path.join(e.parentPath, e.name)).sort();
  const stamps = await Promise.all(
    files.map(async (f) => {
      const st = await stat(f);
      return `${f}:${st.size}:${st.mtimeMs}`;
    }),
  );
  return stamps.join('|');
}
