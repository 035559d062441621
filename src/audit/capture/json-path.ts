// Audit stage, body capture: the small JSONPath subset that redaction rules are written in.
// Promises: `parseJsonPath` accepts exactly the grammar below or throws with the offending spot;
// `redactJsonPath` replaces every value the path selects with `[redacted]`, in place.
//
// Grammar (a subset of RFC 9535, enough to name fields in API bodies; no filters, no slices):
//   $                  the whole document
//   .name  ['name']    a member of an object (name: letters, digits, `_`, `-`; quote anything else)
//   [3]                an array element, counted from 0
//   .*  [*]            every member of an object or every element of an array
//   ..name             a member called `name` at any depth below, e.g. `$..api_key`
// Examples: `$.messages[*].content`, `$.input`, `$.user`, `$..api_key`.

import { REDACTED } from './secret-patterns.js';

export type PathSegment =
  | { readonly kind: 'member'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'descendant'; readonly name: string };

const TOKEN = /\.\.([A-Za-z0-9_-]+)|\.([A-Za-z0-9_-]+)|\.\*|\[\*\]|\[(\d{1,9})\]|\['([^'\\]*)'\]|\["([^"\\]*)"\]/y;

export function parseJsonPath(path: string): readonly PathSegment[] {
  if (!path.startsWith('$')) throw new Error('must start with "$"');
  const segments: PathSegment[] = [];
  let at = 1;
  while (at < path.length) {
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(path);
    if (!m) throw new Error(`unsupported syntax at position ${at}: "${path.slice(at)}"`);
    const [, descendant, member, index, single, double] = m;
    if (descendant !== undefined) segments.push({ kind: 'descendant', name: descendant });
    else if (member !== undefined) segments.push({ kind: 'member', name: member });
    else if (index !== undefined) segments.push({ kind: 'index', index: Number(index) });
    else if (single !== undefined || double !== undefined) segments.push({ kind: 'member', name: (single ?? double)! });
    else segments.push({ kind: 'wildcard' });
    at = TOKEN.lastIndex;
  }
  return segments;
}

type Container = Record<string, unknown> | unknown[];

const isContainer = (v: unknown): v is Container => typeof v === 'object' && v !== null;

/**
 * Redacts what `segments` selects in `doc`. Returns the new document (a different value only when
 * the path is `$` alone) and whether anything was selected.
 */
export function redactJsonPath(doc: unknown, segments: readonly PathSegment[]): { doc: unknown; hit: boolean } {
  if (segments.length === 0) return { doc: REDACTED, hit: true };
  return { doc, hit: walk(doc, segments, 0) };
}

function walk(node: unknown, segments: readonly PathSegment[], i: number): boolean {
  const seg = segments[i]!;
  const last = i === segments.length - 1;
  let hit = false;
  const visit = (parent: Container, key: string | number): void => {
    if (last) {
      (parent as Record<string | number, unknown>)[key] = REDACTED;
      hit = true;
    } else if (walk((parent as Record<string | number, unknown>)[key], segments, i + 1)) {
      hit = true;
    }
  };
  if (seg.kind === 'descendant') {
    forEachDescendant(node, seg.name, visit);
    return hit;
  }
  if (!isContainer(node)) return false;
  if (seg.kind === 'wildcard') {
    for (const key of Array.isArray(node) ? node.keys() : Object.keys(node)) visit(node, key);
  } else if (seg.kind === 'index') {
    if (Array.isArray(node) && seg.index < node.length) visit(node, seg.index);
  } else if (!Array.isArray(node) && Object.hasOwn(node, seg.name)) {
    visit(node, seg.name);
  }
  return hit;
}

// Every object below `node` that has the member `name`, outermost first. A redacted member is not
// searched further: its value is gone already.
function forEachDescendant(node: unknown, name: string, visit: (parent: Container, key: string) => void): void {
  if (!isContainer(node)) return;
  if (!Array.isArray(node) && Object.hasOwn(node, name)) visit(node, name);
  const children = Array.isArray(node) ? node : Object.values(node);
  for (const child of children) forEachDescendant(child, name, visit);
}
