// A synthetic policy bundle of N policies for the decide benchmark, shaped like a real one:
// spread over 20 actions (so each action's slice holds about N/20), a mix of group, user and
// resource scopes, permits and forbids, conditions on context, and 1 in 100 policies with no
// action scope (those land in every slice). One permit lets the benchmark's request through,
// so the measured path is a full allow, the common case.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ACTIONS = [
  'model.invoke', 'model.list', 'model.embed', 's3.get', 's3.put', 's3.list', 's3.delete',
  'k8s.get', 'k8s.list', 'k8s.create', 'k8s.delete', 'k8s.exec', 'pg.select', 'pg.insert',
  'pg.update', 'pg.delete', 'pg.ddl', 'mcp.call', 'mcp.list', 'admin.audit.read',
];

function policy(i: number): string {
  const action = ACTIONS[i % ACTIONS.length]!;
  const other = ACTIONS[(i + 7) % ACTIONS.length]!;
  const res = `Resource::"res-${i % 50}"`;
  const id = `@id("p-${i}")\n`;
  if (i % 100 === 99) return `${id}forbid (principal in Group::"blocked-${i}", action, resource);`;
  switch (i % 5) {
    case 0:
      return `${id}permit (principal in Group::"team-${i}", action == Action::"${action}", resource in ${res});`;
    case 1:
      return `${id}permit (principal in Group::"team-${i}", action == Action::"${action}", resource in ${res})\nwhen { context.model == "model-${i}" || context.model like "llama-${i}*" };`;
    case 2:
      return `${id}forbid (principal in Group::"contractors-${i}", action == Action::"${action}", resource);`;
    case 3:
      return `${id}permit (principal == User::"user-${i}", action in [Action::"${action}", Action::"${other}"], resource in ${res})\nwhen { context.hour >= 8 && context.hour < 20 };`;
    default:
      return `${id}permit (principal in Group::"team-${i}", action == Action::"${action}", resource)\nwhen { context.mfa && context.source_ip.isInRange(ip("10.0.0.0/8")) };`;
  }
}

const ALLOW = `@id("bench-allow")
permit (principal in Group::"ml-eng", action == Action::"model.invoke", resource in Resource::"llm")
when { context.model == "gpt-4o-mini" || context.model like "llama*" };`;

/** Writes the bundle (N policies in files of 50) to a new temp dir and returns the dir. */
export async function writeSyntheticBundle(count: number): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'airlock-bench-bundle-'));
  const texts = [ALLOW, ...Array.from({ length: count - 1 }, (_, i) => policy(i))];
  for (let f = 0; f * 50 < texts.length; f++) {
    await writeFile(path.join(dir, `p${String(f).padStart(3, '0')}.cedar`), texts.slice(f * 50, f * 50 + 50).join('\n\n') + '\n');
  }
  return dir;
}
