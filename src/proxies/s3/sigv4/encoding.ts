// SigV4's encoding rules as S3 applies them: every byte except the unreserved characters
// (A-Z a-z 0-9 - . _ ~) is percent-encoded with upper-case hex, a path keeps its "/", and the
// path is encoded once (S3 does not normalise or double-encode it). The gateway reads the path
// and query as the client sent them, decodes them once and encodes them canonically, so two
// spellings of one key (`%7E` and `~`) sign and decide alike.

/** Percent-encodes `s` by SigV4's rules; with `keepSlash`, "/" stays as it is (paths). */
export function awsUriEncode(s: string, keepSlash = false): string {
  const out = encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return keepSlash ? out.replace(/%2F/g, '/') : out;
}

/** Decodes percent-escapes ("+" stays "+", as S3 reads paths); undefined when malformed. */
export function percentDecode(s: string): string | undefined {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** One query parameter, decoded. A parameter written without "=" has the value "". */
export interface QueryParam {
  readonly name: string;
  readonly value: string;
}

/** The query string (without its "?") as decoded parameters in the order sent; undefined when malformed. */
export function parseQuery(raw: string): QueryParam[] | undefined {
  const out: QueryParam[] = [];
  for (const piece of raw.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    // Forms encode spaces as "+"; SigV4 clients send "%20", and S3 reads "+" in a query as a space.
    const name = percentDecode((eq === -1 ? piece : piece.slice(0, eq)).replace(/\+/g, '%20'));
    const value = eq === -1 ? '' : percentDecode(piece.slice(eq + 1).replace(/\+/g, '%20'));
    if (name === undefined || value === undefined) return undefined;
    out.push({ name, value });
  }
  return out;
}

/** The canonical query string: encoded names and values, sorted by name then value, `skip` left out. */
export function canonicalQuery(params: readonly QueryParam[], skip?: string): string {
  const encoded: [string, string][] = [];
  for (const p of params) if (p.name !== skip) encoded.push([awsUriEncode(p.name), awsUriEncode(p.value)]);
  encoded.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return encoded.map(([n, v]) => `${n}=${v}`).join('&');
}
