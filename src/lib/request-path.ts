// Splits a data-plane URL into resource name, path and query, refusing paths whose meaning could
// differ between the gateway and the upstream (dot segments, raw or percent-encoded). The
// decision is made on exactly the path that is forwarded.

export interface RequestPath {
  readonly resourceName: string;
  /** The rest after `/<resource>`, with a leading `/`. */
  readonly path: string;
  /** The query string including its `?`, or empty. */
  readonly query: string;
}

const DOT_SEGMENT = /^(\.|%2e){1,2}$/i;

/** Undefined when the URL names no resource; 'bad_path' when the path is ambiguous. */
export function splitRequestPath(url: string): RequestPath | undefined | 'bad_path' {
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q);
  if (pathname.charCodeAt(0) !== 0x2f) return 'bad_path';
  // A dot segment, raw or encoded, needs a '.' or a '%': most paths have neither and skip the scan.
  if ((pathname.includes('.') || pathname.includes('%')) && pathname.split('/').some((s) => DOT_SEGMENT.test(s))) return 'bad_path';
  const slash = pathname.indexOf('/', 1);
  const resourceName = slash === -1 ? pathname.slice(1) : pathname.slice(1, slash);
  if (!resourceName) return undefined;
  return { resourceName, path: slash === -1 ? '/' : pathname.slice(slash), query };
}
