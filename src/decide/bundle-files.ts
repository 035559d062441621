// Decide stage, bundle loading: finds the bundle's files and computes its version.
// The version covers every file that can change a decision or a test verdict, so the
// version recorded in an audit record pins down exactly what decided.
import { createHash, hash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export const SCHEMA_FILE = 'schema.cedarschema';
export const ENTITIES_FILE = 'entities.json';
export const PINS_FILE = 'pins.json';

export interface BundleFiles {
  /** Relative path (with `/`) -> content, every bundle file. */
  readonly contents: ReadonlyMap<string, string>;
  /** `*.cedar` anywhere under the directory except `tests/`, sorted by path. */
  readonly policyFiles: readonly string[];
  /** `tests/*.yaml` (and `.yml`), sorted. */
  readonly testFiles: readonly string[];
  readonly hasSchema: boolean;
  readonly hasEntities: boolean;
}

export async function readBundleFiles(dir: string): Promise<BundleFiles> {
  const all: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = join(e.parentPath, e.name);
    const rel = relative(dir, full).split(sep).join('/');
    if (rel.split('/').some((part) => part.startsWith('.'))) continue;
    // Symlinked files count: a Kubernetes ConfigMap mounts every file as a symlink.
    if (e.isFile() || (e.isSymbolicLink() && (await stat(full)).isFile())) all.push(rel);
  }
  const contents = new Map<string, string>();
  for (const name of all.filter(isBundleFile).sort(byBytes)) contents.set(name, await readFile(join(dir, name), 'utf8'));
  return classify(contents);
}

/** Sorts a set of (relative path -> content) into bundle roles; other files are ignored. */
export function classify(files: ReadonlyMap<string, string>): BundleFiles {
  const names = [...files.keys()].filter(isBundleFile).sort(byBytes);
  const contents = new Map(names.map((n) => [n, files.get(n) ?? '']));
  return {
    contents,
    policyFiles: names.filter((p) => p.endsWith('.cedar')),
    testFiles: names.filter((p) => p.startsWith('tests/') && !p.endsWith('.cedar')),
    hasSchema: contents.has(SCHEMA_FILE),
    hasEntities: contents.has(ENTITIES_FILE),
  };
}

function isBundleFile(p: string): boolean {
  if (p === SCHEMA_FILE || p === ENTITIES_FILE || p === PINS_FILE) return true;
  if (/^tests\/[^/]+\.ya?ml$/.test(p)) return true;
  return p.endsWith('.cedar') && !p.startsWith('tests/');
}

/**
 * Hex SHA-256 over `path NUL length NUL content` for each file in sorted order. The byte
 * length frames each content so that moving bytes between two files changes the version.
 */
export function bundleVersion(contents: ReadonlyMap<string, string>): string {
  const h = createHash('sha256');
  for (const name of [...contents.keys()].sort(byBytes)) {
    const body = Buffer.from(contents.get(name) ?? '', 'utf8');
    h.update(`${name}\0${body.length}\0`);
    h.update(body);
  }
  return h.digest('hex');
}

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

function byBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
