// Identify stage, OIDC: the config schema of `identity.oidc[]`, with its defaults written out.
import { z } from 'zod';
import { httpUrl } from '../../lib/http-url.js';
import { DEFAULT_GROUPS_CLAIM, DEFAULT_JWKS_REFRESH_S, DEFAULT_TOKEN_TYPES, NAMESPACE_PATTERN } from './issuer-config.js';

const isHttpUrl = (s: string) => httpUrl.safeParse(s).success;

const clientTokens = z.strictObject({
  as_agent: z.boolean().default(true),
  match: z.strictObject({ claim: z.string().min(1), value: z.string().optional() }).optional(),
  name_claim: z.string().min(1).default('sub'),
});

const oidcIssuer = z
  .strictObject({
    issuer: z.string().min(1),
    audience: z.string().min(1),
    jwks_file: z.string().min(1).optional(),
    jwks_uri: httpUrl.optional(),
    groups_claim: z.string().min(1).default(DEFAULT_GROUPS_CLAIM),
    token_types: z.array(z.string().min(1).max(100)).min(1).default([...DEFAULT_TOKEN_TYPES]),
    client_tokens: clientTokens.prefault({}),
    namespace: z.string().regex(NAMESPACE_PATTERN, { message: 'use letters, digits, ".", "_" or "-" (at most 64)' }).optional(),
    jwks_refresh_seconds: z.number().int().min(1).max(86_400).default(DEFAULT_JWKS_REFRESH_S),
  })
  .refine((o) => o.jwks_file === undefined || o.jwks_uri === undefined, { message: 'set at most one of jwks_file and jwks_uri' })
  .refine((o) => o.jwks_file !== undefined || o.jwks_uri !== undefined || isHttpUrl(o.issuer), {
    path: ['issuer'],
    message: 'must be an http(s) URL to find its keys by OpenID discovery (or set jwks_uri or jwks_file)',
  });

/** Several issuers each need their own namespace (claims.ts says why). */
export const oidcIssuersSchema = z
  .array(oidcIssuer)
  .default([])
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((o, i) => {
      if (o.namespace === undefined) {
        if (list.length > 1) ctx.addIssue({ code: 'custom', path: [i, 'namespace'], message: 'required when several issuers are configured' });
      } else if (seen.has(o.namespace)) {
        ctx.addIssue({ code: 'custom', path: [i, 'namespace'], message: 'used by another issuer' });
      }
      if (o.namespace !== undefined) seen.add(o.namespace);
    });
  });
