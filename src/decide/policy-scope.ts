// Decide stage, bundle loading: what a policy can match and what it reads, from its JSON form.
// The engine slices the bundle by action scope and keys its cache on the context keys read,
// so both answers must over-approximate: when in doubt, say "all".
import type { PolicyJson } from './cedar.js';
import { formatEntity } from '../model/entity.js';
import type { ActionScope, ContextKeys, PrincipalScope, ResourceScope } from './types.js';

export function actionScope(policy: PolicyJson): ActionScope {
  const c = policy.action;
  if (c.op === 'All') return { all: true };
  const uids = c.op === '==' ? ('entity' in c ? [c.entity] : undefined) : 'entities' in c ? c.entities : [c.entity];
  // A slot (templates only) could stand for any action.
  if (!uids) return { all: true };
  const ids: string[] = [];
  for (const u of uids) {
    const ref = '__entity' in u ? u.__entity : u;
    // A namespaced action type can never equal the `Action::"..."` the gateway asks about,
    // so it contributes no id; a policy with none left matches no request at all.
    if (ref.type === 'Action') ids.push(ref.id);
  }
  return { all: false, ids };
}

export function resourceScope(policy: PolicyJson): ResourceScope {
  const c = policy.resource;
  const pinned = c.op === '==' ? { op: 'eq' as const, e: c } : c.op === 'in' ? { op: 'in' as const, e: c } : c.op === 'is' && c.in ? { op: 'in' as const, e: c.in } : undefined;
  if (!pinned || !('entity' in pinned.e)) return { any: true };
  const ref = '__entity' in pinned.e.entity ? pinned.e.entity.__entity : pinned.e.entity;
  return ref.type === 'Resource' ? { any: false, op: pinned.op, id: ref.id } : { any: true };
}

export function principalScope(policy: PolicyJson): PrincipalScope {
  const c = policy.principal;
  // `==` and `in` both pin E: `principal == E` can only match E itself, which `in E` covers too.
  const pinned = c.op === '==' || c.op === 'in' ? c : c.op === 'is' && c.in ? c.in : undefined;
  if (!pinned || !('entity' in pinned)) return { any: true };
  const ref = '__entity' in pinned.entity ? pinned.entity.__entity : pinned.entity;
  return { any: false, uid: formatEntity(ref) };
}

export function contextKeys(policy: PolicyJson): ContextKeys {
  const keys = new Set<string>();
  let whole = false;
  const visit = (node: unknown): void => {
    if (whole || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const rec = node as Record<string, unknown>;
    if (rec['Var'] === 'context') {
      whole = true; // `context` used as a value of its own
      return;
    }
    for (const op of ['.', 'has'] as const) {
      const inner = rec[op] as { left?: unknown; attr?: string | string[] } | undefined;
      if (inner && isContextVar(inner.left)) {
        const attr = Array.isArray(inner.attr) ? inner.attr[0] : inner.attr;
        if (typeof attr === 'string') keys.add(attr);
        else whole = true;
        return;
      }
    }
    for (const v of Object.values(rec)) visit(v);
  };
  for (const clause of policy.conditions) visit(clause.body);
  return whole ? 'all' : [...keys].sort();
}

function isContextVar(node: unknown): boolean {
  return typeof node === 'object' && node !== null && (node as Record<string, unknown>)['Var'] === 'context';
}
