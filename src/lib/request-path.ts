// Splits a data-plane URL into resource name, path and query, and normalises the path once
// (RFC 3986 section 6.2.2), so that the gateway decides on exactly the path the upstream receives:
// percent-encoded unreserved characters are decoded (`/v1/chat/%63ompletions` is
// `/v1/chat/completions`), the remaining percent-encodings are upper-cased, and runs of slashes
// become one (`/v1//chat` is `/v1/chat`, as Envoy's merge_slashes does). What cannot be normalised
// without guessing how the upstream reads it is refused, as Envoy's REJECT_REQUEST for escaped
// slashes: dot segments (raw or encoded), encoded slashes and backslashes (`%2F`, `%5C`), raw
// backslashes, `;` path parameters, encoded control characters, malformed percent-encoding, and
// an escaped escape (`%252e`: an upstream that decodes twice, as some frameworks and rewriting
// proxies do, would read a dot segment the decision never saw; Spring Security's firewall refuses
// every `%25` for the same reason, this refuses only a `%25` that spells another escape).
// A surface that must see the raw path (S3 object keys may hold any byte) asks for it and applies
// its own rules.

export interface RequestPath {
  readonly resourceName: string;
  /** The rest after `/<resource>`, with a leading `/`, normalised unless raw was asked for. */
  readonly path: string;
  /** The query string including its `?`, or empty. */
  readonly query: string;
}

/** Why a path was refused, for the 400 answer. */
export type PathRefusal = { readonly refused: string };

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * Undefined when the URL names no resource; a refusal when the path is ambiguous. `raw(name)` says
 * whether the resource's surface takes the path as it came.
 */
export function splitRequestPath(url: string, raw: (resourceName: string) => boolean = () => false): RequestPath | undefined | PathRefusal {
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q);
  if (pathname.charCodeAt(0) !== 0x2f) return { refused: 'the path must start with "/"' };
  const slash = pathname.indexOf('/', 1);
  const resourceName = slash === -1 ? pathname.slice(1) : pathname.slice(1, slash);
  if (!resourceName) return undefined;
  const rest = slash === -1 ? '/' : pathname.slice(slash);
  if (raw(resourceName)) return { resourceName, path: rest, query };
  const path = normalizePath(rest);
  return typeof path === 'string' ? { resourceName, path, query } : path;
}

/** The normal form of an absolute path, or why it has none. */
export function normalizePath(path: string): string | PathRefusal {
  // Most paths hold none of the characters that need work: they skip it.
  if (!path.includes('%') && !path.includes('\\') && !path.includes(';') && !path.includes('//') && !path.includes('/.') && !path.includes('#')) return path;
  if (path.includes('\\')) return { refused: 'the path has a backslash' };
  if (path.includes('#')) return { refused: 'the path has a "#"' };
  if (path.includes(';')) return { refused: 'the path has a ";" parameter' };
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const hex = path.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return { refused: 'the path has malformed percent-encoding' };
    const code = parseInt(hex, 16);
    if (code === 0x2f || code === 0x5c) return { refused: 'the path has an encoded slash or backslash' };
    if (code < 0x20 || code === 0x7f) return { refused: 'the path has an encoded control character' };
    const ch = String.fromCharCode(code);
    out += UNRESERVED.test(ch) ? ch : `%${hex.toUpperCase()}`;
    i += 2;
  }
  // On the output: `%25%41` becomes `%25A`, which a hex digit after it makes an escape again.
  if (out.includes('%25') && /%25[0-9A-Fa-f]{2}/.test(out)) return { refused: 'the path has a double-encoded escape' };
  out = out.replace(/\/{2,}/g, '/');
  for (const segment of out.split('/')) {
    if (segment === '.' || segment === '..') return { refused: 'the path has dot segments' };
  }
  return out;
}
