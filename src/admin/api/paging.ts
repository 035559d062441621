// Paging of control-plane lists: `?limit=N&cursor=C`. The body stays a JSON array (as the contract
// has it); the next page's URL is in `Link: <...>; rel="next"` (RFC 8288) when there is one. A
// cursor is opaque to clients; it carries the store's position of the last item sent.
import { AirlockError } from '../../lib/errors.js';

const DEFAULT_LIMIT = 200;
const MAX_LIMIT = 1000;

export interface PageRequest {
  readonly limit: number;
  readonly before?: number;
}

export function pageRequest(query: URLSearchParams): PageRequest {
  const rawLimit = query.get('limit');
  const limit = rawLimit === null ? DEFAULT_LIMIT : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new AirlockError('bad_request', `"limit" must be a whole number from 1 to ${MAX_LIMIT}`);
  const cursor = query.get('cursor');
  if (cursor === null) return { limit };
  const before = Number(Buffer.from(cursor, 'base64url').toString('utf8').replace(/^p:/, ''));
  if (!cursor.length || !Number.isSafeInteger(before) || before < 0) throw new AirlockError('bad_request', '"cursor" is not one this server gave');
  return { limit, before };
}

/** The paging parameters and answer header, as /api/v1/openapi.json describes them. */
export const PAGE_QUERY = {
  limit: { description: `How many items at most (1 to ${MAX_LIMIT}, default ${DEFAULT_LIMIT})`, schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT } },
  cursor: { description: 'Where the page starts: from the previous answer\'s `Link: <...>; rel="next"`', schema: { type: 'string' } },
} as const;
export const PAGE_HEADERS = { Link: 'The next page, `<url>; rel="next"` (RFC 8288), when there is one' } as const;

/** The `Link` header for the page after this one, if there is one. */
export function nextPageHeaders(path: string, query: URLSearchParams, next: number | undefined): Record<string, string> | undefined {
  if (next === undefined) return undefined;
  const q = new URLSearchParams(query);
  q.set('cursor', Buffer.from(`p:${next}`).toString('base64url'));
  return { link: `<${path}?${q.toString()}>; rel="next"` };
}
