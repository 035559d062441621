// Decide stage, bundle loading: the static entities of `entities.json` and the action
// hierarchy (from those entities and from the schema's `action ... in [...]` declarations).
import { checkParseEntities, schemaToJson, type EntityJson } from './cedar.js';
import { z } from 'zod';
import { ENTITIES_FILE } from './bundle-files.js';

const uid = z.union([
  z.object({ type: z.string().min(1), id: z.string() }).strict(),
  z.object({ __entity: z.object({ type: z.string().min(1), id: z.string() }).strict() }).strict(),
]);
const entitiesSchema = z.array(
  z
    .object({
      uid,
      attrs: z.record(z.string(), z.unknown()).default({}),
      parents: z.array(uid).default([]),
      tags: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
);

type Uid = z.infer<typeof uid>;
const norm = (u: Uid): { type: string; id: string } => ('__entity' in u ? u.__entity : u);

export function parseEntities(text: string, schema: string | undefined, problems: string[]): EntityJson[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    problems.push(`${ENTITIES_FILE}: invalid JSON: ${(e as Error).message}`);
    return [];
  }
  const parsed = entitiesSchema.safeParse(raw);
  if (!parsed.success) {
    for (const i of parsed.error.issues) problems.push(`${ENTITIES_FILE}: ${formatPath(i.path)}: ${i.message}`);
    return [];
  }
  const entities = parsed.data.map((e) => ({ ...e, uid: norm(e.uid), parents: e.parents.map(norm) })) as EntityJson[];
  const check = checkParseEntities({ entities, schema: schema ?? null });
  if (check.type === 'failure') for (const err of check.errors) problems.push(`${ENTITIES_FILE}: ${err.message}`);
  return entities;
}

/** Direct parents of each `Action::"id"`, merged from the entities and the schema's empty namespace. */
export function actionParents(entities: readonly EntityJson[], schema: string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (child: string, parent: string): void => {
    const list = out.get(child) ?? [];
    if (!list.includes(parent)) list.push(parent);
    out.set(child, list);
  };
  for (const e of entities) {
    const u = e.uid as { type: string; id: string };
    if (u.type !== 'Action') continue;
    if (!out.has(u.id)) out.set(u.id, []);
    for (const p of e.parents as { type: string; id: string }[]) if (p.type === 'Action') add(u.id, p.id);
  }
  if (schema !== undefined) {
    const json = schemaToJson(schema);
    const actions = json.type === 'success' ? json.json['']?.actions ?? {} : {};
    for (const [id, def] of Object.entries(actions)) {
      if (!out.has(id)) out.set(id, []);
      for (const p of def.memberOf ?? []) if ((p.type ?? 'Action') === 'Action') add(id, p.id);
    }
  }
  return out;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(root)';
}
