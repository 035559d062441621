// Decide stage: loads a policy bundle directory into a checked, read-only PolicyBundle.
// Every problem is collected (not just the first) so `airlock policy validate` can show them
// all; any problem at all refuses the bundle, and the caller keeps serving the old one.
import { checkParseSchema } from './cedar.js';
import { join } from 'node:path';
import { AirlockError } from '../lib/errors.js';
import { bundleVersion, classify, ENTITIES_FILE, PINS_FILE, readBundleFiles, SCHEMA_FILE, type BundleFiles } from './bundle-files.js';
import { parsePins } from './pins-file.js';
import { parsePolicyFile, validateFile } from './parse-policies.js';
import { formatCedarError } from './source-location.js';
import { actionParents, parseEntities } from './static-entities.js';
import type { BundlePolicy, BundleSummary, PolicyBundle } from './types.js';

export async function loadBundle(dir: string): Promise<PolicyBundle> {
  let files: BundleFiles;
  try {
    files = await readBundleFiles(dir);
  } catch (e) {
    throw invalid(dir, [`${dir}: cannot read the policy bundle: ${(e as Error).message}`]);
  }
  return buildBundle(dir, files);
}

/** A bundle from in-memory files (relative path -> content): for tests and tools. */
export function bundleFromFiles(files: Readonly<Record<string, string>>, dir = '(memory)'): PolicyBundle {
  return buildBundle(dir, classify(new Map(Object.entries(files))));
}

function buildBundle(dir: string, files: BundleFiles): PolicyBundle {
  const problems: string[] = [];
  const shown = (rel: string): string => join(dir, rel);
  const text = (rel: string): string => files.contents.get(rel) ?? '';

  let schema: string | undefined;
  if (files.hasSchema) {
    const check = checkParseSchema(text(SCHEMA_FILE));
    if (check.type === 'failure') for (const err of check.errors) problems.push(formatCedarError(shown(SCHEMA_FILE), text(SCHEMA_FILE), err));
    else schema = text(SCHEMA_FILE);
  }
  const entities = files.hasEntities ? parseEntities(text(ENTITIES_FILE), schema, problems) : [];
  const pins = files.contents.has(PINS_FILE) ? parsePins(shown(PINS_FILE), text(PINS_FILE), problems) : {};

  const policies: BundlePolicy[] = [];
  for (const rel of files.policyFiles) {
    const parsed = parsePolicyFile(rel, shown(rel), text(rel), problems);
    if (schema !== undefined && parsed.length > 0) validateFile(shown(rel), text(rel), parsed, schema, problems);
    policies.push(...parsed);
  }
  const seen = new Map<string, BundlePolicy>();
  for (const p of policies) {
    const first = seen.get(p.id);
    if (first) problems.push(`${shown(p.file)}: duplicate policy id "${p.id}" (also ${first.file}#${first.index})`);
    else seen.set(p.id, p);
  }
  if (problems.length > 0) throw invalid(dir, problems);

  return Object.freeze({
    dir,
    version: bundleVersion(files.contents),
    files: [...files.contents.keys()],
    policies,
    policyIds: policies.map((p) => p.id),
    entities,
    actionParents: actionParents(entities, schema),
    ...(schema !== undefined ? { schema } : {}),
    tests: files.testFiles,
    pins,
  });
}

/** What a bundle load should record: its version and each policy's id and text digest. */
export function bundleSummary(bundle: PolicyBundle): BundleSummary {
  return {
    version: bundle.version,
    policies: bundle.policies.map((p) => ({ id: p.id, file: p.file, digest: p.digest })),
  };
}

function invalid(dir: string, problems: string[]): AirlockError {
  const head = problems.length === 1 ? problems[0] : `${problems.length} problems`;
  return new AirlockError('policy_invalid', `policy bundle ${dir} is invalid: ${head}`, { problems });
}
