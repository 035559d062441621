// Decide stage, bundle loading: one `.cedar` file -> its policies, with ids, obligations and
// the facts the engine slices and caches by; with a schema, strict validation per file.
import { policySetTextToParts, policyToJson, validate } from './cedar.js';
import { parseObligations } from './annotations.js';
import { sha256Hex } from './bundle-files.js';
import { actionScope, contextKeys, principalScope, resourceScope } from './policy-scope.js';
import { formatCedarError, lineCol } from './source-location.js';
import type { BundlePolicy } from './types.js';

export function parsePolicyFile(file: string, shown: string, text: string, problems: string[]): BundlePolicy[] {
  const parts = policySetTextToParts(text);
  if (parts.type === 'failure') {
    for (const err of parts.errors) problems.push(formatCedarError(shown, text, err));
    return [];
  }
  if (parts.policy_templates.length > 0) problems.push(`${shown}: templates (policies with ?principal or ?resource slots) are not supported`);
  const texts = inFileOrder(parts.policies);
  const offsets = sourceOffsets(text, texts);
  if (!offsets) {
    problems.push(`${shown}: cannot map Cedar's policies back to source order (Cedar upgrade?)`);
    return [];
  }
  const out: BundlePolicy[] = [];
  texts.forEach((policyText, index) => {
    const policy = parseOne(file, shown, text, policyText, index, offsets[index] ?? 0, problems);
    if (policy) out.push(policy);
  });
  return out;
}

function parseOne(file: string, shown: string, text: string, policyText: string, index: number, offset: number, problems: string[]): BundlePolicy | undefined {
  const parsed = policyToJson(policyText);
  if (parsed.type === 'failure') {
    for (const err of parsed.errors) problems.push(`${shown}#${index}: ${err.message}`);
    return undefined;
  }
  const json = parsed.json;
  const annotations = json.annotations ?? {};
  const id = annotations['id'] ?? `${file}#${index}`;
  if (id.trim() === '') problems.push(`${shown}#${index}: @id must not be empty`);
  const { obligations, problems: bad } = parseObligations(json.effect, annotations);
  if (bad.length > 0) {
    const { line, col } = lineCol(text, Buffer.byteLength(text.slice(0, offset)));
    for (const p of bad) problems.push(`${shown}:${line}:${col}: policy ${id}: ${p}`);
  }
  return {
    id, file, index, effect: json.effect, text: policyText, digest: sha256Hex(policyText), json, obligations,
    actionScope: actionScope(json), resourceScope: resourceScope(json), principalScope: principalScope(json), contextKeys: contextKeys(json),
  };
}

/**
 * Cedar names a file's policies `policy0`, `policy1`, ... in source order and returns them
 * sorted by that name as a string (policy0, policy1, policy10, policy2, ...); undo the sort.
 */
function inFileOrder(sortedByName: readonly string[]): string[] {
  const names = sortedByName.map((_, i) => `policy${i}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: string[] = new Array<string>(sortedByName.length);
  names.forEach((name, i) => (out[Number(name.slice(6))] = sortedByName[i]!));
  return out;
}

/** Guards `inFileOrder`: each policy's text is a slice of the file, found after the previous one. */
function sourceOffsets(file: string, texts: readonly string[]): number[] | undefined {
  const out: number[] = [];
  let from = 0;
  for (const t of texts) {
    const at = file.indexOf(t, from);
    if (at < 0) return undefined;
    out.push(at);
    from = at + t.length;
  }
  return out;
}

/** Strict validation of one file's policies against the schema; positions are file-relative. */
export function validateFile(shown: string, text: string, policies: readonly BundlePolicy[], schema: string, problems: string[]): void {
  const byCedarId = new Map(policies.map((p) => [`policy${p.index}`, p.id]));
  const rename = (m: string): string => m.replace(/`policy(\d+)`/g, (all, n: string) => `\`${byCedarId.get(`policy${n}`) ?? all}\``);
  const answer = validate({ schema, policies: { staticPolicies: text }, validationSettings: { mode: 'strict' } });
  if (answer.type === 'failure') {
    for (const err of answer.errors) problems.push(formatCedarError(shown, text, err, rename));
    return;
  }
  for (const v of answer.validationErrors) problems.push(formatCedarError(shown, text, v.error, rename));
}
