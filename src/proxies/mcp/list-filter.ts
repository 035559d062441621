// Filtered discovery: a tools/list (resources/list, resources/templates/list, prompts/list) answer
// shows only what the caller may use. Each entry is decided as the call it offers (tool.call on
// Tool::"<name>/<tool>" without arguments, resource.read, prompt.get), without a record; tools
// whose definition changed since it was pinned are left out too. An entry that cannot be read is
// left out, and so is everything when the list itself is not a list: nothing is shown undecided.
// The cursor (`nextCursor`) passes through, so every page is filtered the same way.
import type { ActionRequest } from '../../model/action-request.js';
import type { Decision } from '../../model/decision.js';
import { promptGetRequest, resourceReadRequest, toolCallRequest, type ListKind } from './classify.js';
import type { ToolPins } from './pins/tool-pins.js';

export interface ListFilterDeps {
  readonly resource: string;
  readonly pins: ToolPins;
  /** decideOnly for the caller: no record, any failure is deny. */
  readonly decide: (request: ActionRequest) => Decision;
}

type Entry = Record<string, unknown>;

const KEY: Readonly<Record<ListKind, string>> = { tools: 'tools', resources: 'resources', resourceTemplates: 'resourceTemplates', prompts: 'prompts' };

/** The list result with only the entries the caller may use; counts for the outcome record. */
export async function filterList(kind: ListKind, result: Record<string, unknown>, deps: ListFilterDeps): Promise<{ result: Record<string, unknown>; shown: number; hidden: number }> {
  const key = KEY[kind];
  const raw = result[key];
  const entries = Array.isArray(raw) ? (raw as unknown[]) : [];
  const readable = entries.filter((e): e is Entry => typeof e === 'object' && e !== null && !Array.isArray(e) && typeof nameOf(kind, e as Entry) === 'string');
  const pinned = kind === 'tools' ? await deps.pins.review(deps.resource, readable as unknown as { name: string }[]) : undefined;
  const kept = readable.filter((e) => {
    const name = nameOf(kind, e) as string;
    if (pinned && !pinned.get(name)?.trusted) return false;
    return visibleInList(deps.decide(requestFor(kind, deps.resource, name)));
  });
  return { result: { ...result, [key]: kept }, shown: kept.length, hidden: entries.length - kept.length };
}

function nameOf(kind: ListKind, e: Entry): unknown {
  return kind === 'resources' ? e['uri'] : kind === 'resourceTemplates' ? e['uriTemplate'] : e['name'];
}

function requestFor(kind: ListKind, resource: string, name: string): ActionRequest {
  if (kind === 'tools') return toolCallRequest(resource, name, undefined);
  if (kind === 'prompts') return promptGetRequest(resource, name, undefined);
  return resourceReadRequest(resource, name);
}

/**
 * Whether an entry decided without arguments may be usable with some. A listing has no arguments
 * (`context.arguments` is absent), so a permit that reads them (`context.arguments.replicas <= 10`,
 * or `context.arguments has replicas`) cannot be evaluated, and Cedar leaves it out: when no permit
 * matched but one could not be evaluated, a call with arguments may well be allowed, so the entry
 * is shown and the call is decided when it comes. A clean forbid, or no permit at all, hides it. A
 * forbid that cannot be evaluated hides it too (fail closed): write argument checks in forbids as
 * `context has arguments && ...`, which a listing evaluates to false.
 */
export function visibleInList(d: Decision): boolean {
  if (d.effect !== 'deny') return true;
  return d.reasons[0] === 'no permit matched' && d.reasons.some((r) => r.startsWith('permit ') && r.includes(' not applied: '));
}
