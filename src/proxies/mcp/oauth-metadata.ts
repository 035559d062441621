// OAuth discovery for MCP clients (MCP 2025-06-18 authorization, RFC 9728): each `mcp` resource
// is a protected resource whose metadata names the configured OIDC issuers as its authorization
// servers, served at `/.well-known/oauth-protected-resource/<name>` (the path RFC 9728 derives
// from the resource URL `http://<listen>/<name>`); every 401 points there with
// `WWW-Authenticate: Bearer resource_metadata="<url>"`. The metadata is public by design (it is
// how a client learns where to sign in), so it is answered without a credential and not recorded.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const METADATA_PATH = '/.well-known/oauth-protected-resource';

/** The URL agents use for the resource: `public_url`, else made from the request's Host. */
export function resourceUrl(name: string, publicUrl: string | undefined, req: IncomingMessage): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  const host = req.headers.host ?? 'localhost';
  return `http://${host}/${name}`;
}

/** RFC 9728 section 3.1: the well-known segment goes between the host and the resource's path. */
export function metadataUrl(resource: string): string {
  const u = new URL(resource);
  return `${u.origin}${METADATA_PATH}${u.pathname === '/' ? '' : u.pathname}`;
}

export function bearerChallengeFor(resource: string, error?: string): string {
  return `Bearer${error ? ` error="${error}",` : ''} resource_metadata="${metadataUrl(resource)}"`;
}

export function sendMetadata(res: ServerResponse, resource: string, name: string, issuers: readonly string[], requestId: string): void {
  const body = JSON.stringify({
    resource,
    authorization_servers: issuers,
    bearer_methods_supported: ['header'],
    resource_name: `Airlock: ${name}`,
  });
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'max-age=300',
    'airlock-request-id': requestId,
  });
  res.end(body);
}
