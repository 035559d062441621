// Header rules for forwarding (RFC 9110 section 7.6.1): hop-by-hop headers, and any header the
// Connection header names, stay on their own hop. The client's credential and Airlock's own
// headers never reach the upstream; upstream credentials come only from `inject`. Headers that
// tell an upstream who the client is (X-Forwarded-*, Forwarded, X-Real-IP, Airlock-* and
// X-Airlock-*) are the gateway's to set: a client's are dropped and the gateway's facts sent
// instead, so an upstream that trusts them trusts the gateway, not the client. A CGI-style
// upstream reads `X_Forwarded_For` as `X-Forwarded-For` (both become HTTP_X_FORWARDED_FOR), so a
// client header is judged by that reading too, and one that would pass for a header the gateway
// sets (an injected credential, the identity assertion) is dropped.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { cgiHeaderName } from '../../lib/request-overrides.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const NEVER_FORWARDED = new Set(['authorization', 'host', 'content-length', 'expect', 'forwarded', 'x-real-ip']);

/** Client headers that claim an identity or a hop: only the gateway sets these. */
function claimsIdentity(name: string): boolean {
  return name.startsWith('x-forwarded-') || name.startsWith('airlock-') || name.startsWith('x-airlock-');
}

const NONE: ReadonlySet<string> = new Set();

/** The header names a Connection header lists (usually none: most clients send no such header). */
function connectionListed(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): ReadonlySet<string> {
  const raw = headers.connection;
  if (raw === undefined) return NONE;
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  return new Set(value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
}

// RFC 9110 field-value: visible ASCII, obs-text, spaces and tabs; never CR, LF or NUL.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * `inject` with lower-case names, as incoming headers have: computed once per resource, and again
 * when a secret it references changes. Throws (naming the header, never the value) when a value
 * cannot be sent as a header, e.g. a secret holding a line break.
 */
export function normalizeInject(inject: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(inject).map(([name, value]) => {
    if (!FIELD_VALUE.test(value)) throw new Error(`inject.headers.${name}: is not a valid HTTP header value`);
    return [name.toLowerCase(), value];
  });
}

/**
 * Headers for the upstream request: the client's, filtered, then `inject` (which wins).
 * `reserved` names other headers the gateway sets itself (the identity assertion's).
 */
export function upstreamRequestHeaders(
  client: IncomingHttpHeaders,
  inject: readonly (readonly [string, string])[],
  clientIp: string,
  bodyLength: number,
  reserved?: string,
): Record<string, string | string[]> {
  const listed = connectionListed(client);
  const out: Record<string, string | string[]> = {};
  // Object.keys, not entries: one array per request instead of one per header. Own keys only, so
  // a polluted Object.prototype cannot add a header.
  for (const name of Object.keys(client)) {
    const value = client[name];
    if (value === undefined) continue;
    const key = cgiHeaderName(name);
    if (HOP_BY_HOP.has(key) || NEVER_FORWARDED.has(key) || listed.has(key) || claimsIdentity(key)) continue;
    // Rare (a name with "_"): one that reads as a header the gateway sets is dropped.
    if (key !== name && (key === reserved || inject.some(([n]) => n === key))) continue;
    out[name] = value;
  }
  out['x-forwarded-for'] = clientIp;
  if (bodyLength > 0) out['content-length'] = String(bodyLength);
  for (const [name, value] of inject) out[name] = value;
  return out;
}

/** Headers for the client response: the upstream's, minus hop-by-hop ones. */
export function clientResponseHeaders(upstream: Record<string, string | string[] | undefined>): OutgoingHttpHeaders {
  const listed = connectionListed(upstream);
  const out: OutgoingHttpHeaders = {};
  for (const name of Object.keys(upstream)) {
    const value = upstream[name];
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name)) continue;
    out[name] = value;
  }
  return out;
}
