// Decide stage, bundle loading: `pins.json`, the tool definitions a bundle trusts, reviewed in
// version control like the policies: `{ "<mcp resource>": { "<tool>": "<hex SHA-256>" } }`, each
// digest over the tool's canonical JSON (see src/proxies/mcp/pins/tool-digest.ts). A resource the
// file names is pinned strictly: a tool the file does not list is not trusted until accepted.
import { z } from 'zod';
import { formatPath } from './static-entities.js';

/** Resource name -> tool name -> hex digest. */
export type BundlePins = Readonly<Record<string, Readonly<Record<string, string>>>>;

const pinsSchema = z.record(z.string().min(1), z.record(z.string().min(1), z.string().regex(/^[0-9a-f]{64}$/, { message: 'must be a hex SHA-256 digest' })));

export function parsePins(shown: string, text: string, problems: string[]): BundlePins {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    problems.push(`${shown}: invalid JSON: ${(e as Error).message}`);
    return {};
  }
  const r = pinsSchema.safeParse(raw);
  if (r.success) return r.data;
  for (const i of r.error.issues) problems.push(`${shown}: ${formatPath(i.path) || '(top level)'}: ${i.message}`);
  return {};
}
