// The object a patch would leave behind, so a patch is decided on what it does and not on what it
// happens to spell out: `{"spec":{"replicas":20}}` on a Deployment whose pods take 4 GPUs each is
// a request for 80 GPUs. The four patch types the API server takes are applied to the current
// object: JSON patch (RFC 6902), merge patch (RFC 7386), strategic merge patch (lists of objects
// merged by their key, `$patch` directives) and server-side apply (the applied configuration
// merged the same way). Strategic merge here is what the facts need (containers by name, their
// images and resources), not the API server's full per-field schema; the admission webhook sees the
// exact stored object and is the last word on GPUs.
import { AirlockError } from '../../lib/errors.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

export function patchTypeOf(mediaType: string): PatchType | undefined {
  return PATCH_TYPES[mediaType];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function applyPatch(current: unknown, type: PatchType, patch: unknown): unknown {
  switch (type) {
    case 'json':
      return jsonPatch(current, patch);
    case 'merge':
      return mergePatch(current, patch);
    default:
      return strategicMerge(current, patch);
  }
}

/** RFC 7386: objects merge, `null` removes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Json = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '__proto__') continue; // not a field of any Kubernetes object; assigning it would set the prototype
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Keys by which the API server merges lists of objects (containers by name, ports by number...). */
const MERGE_KEYS = ['name', 'containerPort', 'mountPath', 'devicePath', 'ip', 'port', 'type', 'key'];

function strategicMerge(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  if (patch.$patch === 'replace') return withoutDirectives(patch);
  if (patch.$patch === 'delete') return undefined;
  const out: Json = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$') || k === '__proto__') continue;
    if (v === null) delete out[k];
    else if (Array.isArray(v) && Array.isArray(out[k])) out[k] = mergeList(out[k] as unknown[], v);
    else if (Array.isArray(v)) out[k] = v.filter((e) => !(isObject(e) && e.$patch === 'delete')).map(withoutDirectives);
    else out[k] = strategicMerge(out[k], v);
  }
  return out;
}

function mergeList(current: unknown[], patch: unknown[]): unknown[] {
  const key = MERGE_KEYS.find((k) => patch.length > 0 && patch.every((e) => isObject(e) && e[k] !== undefined));
  if (!key) return patch.map(withoutDirectives);
  const out = [...current];
  for (const e of patch as Json[]) {
    const at = out.findIndex((c) => isObject(c) && c[key] === e[key]);
    if (e.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) out[at] = strategicMerge(out[at], e);
    else out.push(withoutDirectives(e));
  }
  return out;
}

function withoutDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutDirectives);
  if (!isObject(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$') && k !== '__proto__') out[k] = withoutDirectives(x);
  return out;
}

/** RFC 6902, on a copy. An operation that cannot apply is refused, as the API server would. */
function jsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw new AirlockError('bad_request', 'a JSON patch must be an array of operations');
  let doc: unknown = structuredClone(target ?? {});
  patch.forEach((op, i) => {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string') {
      throw new AirlockError('bad_request', `JSON patch operation ${i} needs "op" and "path"`);
    }
    const path = op.path;
    const fail = (why: string) => new AirlockError('bad_request', `JSON patch operation ${i} (${String(op.op).slice(0, 20)} ${path.slice(0, 200)}) ${why}`);
    const value = () => {
      if (!('value' in op)) throw fail('needs a "value"');
      return structuredClone(op.value);
    };
    const from = () => {
      if (typeof op.from !== 'string') throw fail('needs a "from"');
      return op.from;
    };
    switch (op.op) {
      case 'add':
        doc = put(doc, pointer(path, fail), value(), 'add', fail);
        break;
      case 'replace':
        doc = put(doc, pointer(path, fail), value(), 'replace', fail);
        break;
      case 'remove':
        doc = remove(doc, pointer(path, fail), fail).doc;
        break;
      case 'move': {
        const r = remove(doc, pointer(from(), fail), fail);
        doc = put(r.doc, pointer(path, fail), r.value, 'add', fail);
        break;
      }
      case 'copy':
        doc = put(doc, pointer(path, fail), structuredClone(get(doc, pointer(from(), fail), fail)), 'add', fail);
        break;
      case 'test':
        break; // changes nothing; the API server checks it against the stored object
      default:
        throw fail('is not an operation of RFC 6902');
    }
  });
  return doc;
}

function pointer(path: string, fail: (why: string) => Error): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw fail('has a path that is not a JSON pointer');
  const tokens = path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (tokens.includes('__proto__')) throw fail('names "__proto__", which no Kubernetes object has');
  return tokens;
}

function get(doc: unknown, tokens: readonly string[], fail: (why: string) => Error): unknown {
  let node = doc;
  for (const t of tokens) {
    if (Array.isArray(node) && /^(0|[1-9]\d*)$/.test(t) && Number(t) < node.length) node = node[Number(t)];
    else if (isObject(node) && Object.hasOwn(node, t)) node = node[t];
    else throw fail('names a path that does not exist');
  }
  return node;
}

function put(doc: unknown, tokens: readonly string[], value: unknown, how: 'add' | 'replace', fail: (why: string) => Error): unknown {
  if (tokens.length === 0) return value;
  const parent = get(doc, tokens.slice(0, -1), fail);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const i = last === '-' && how === 'add' ? parent.length : /^(0|[1-9]\d*)$/.test(last) ? Number(last) : -1;
    if (i < 0 || i > parent.length || (how === 'replace' && i === parent.length)) throw fail('names an index out of range');
    if (how === 'add') parent.splice(i, 0, value);
    else parent[i] = value;
  } else if (isObject(parent)) {
    if (how === 'replace' && !Object.hasOwn(parent, last)) throw fail('names a path that does not exist');
    parent[last] = value;
  } else {
    throw fail('names a path inside a value that is not a container');
  }
  return doc;
}

function remove(doc: unknown, tokens: readonly string[], fail: (why: string) => Error): { doc: unknown; value: unknown } {
  if (tokens.length === 0) throw fail('cannot remove the whole document');
  const value = get(doc, tokens, fail);
  const parent = get(doc, tokens.slice(0, -1), fail);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete (parent as Json)[last];
  return { doc, value };
}
