// Configuration of `openai` and `http` resources: an upstream base URL, headers the gateway adds
// (upstream credentials, never shown to clients) and timeouts.
import { z } from 'zod';
import { resourceBase, upstreamTimeouts } from '../../config/resource-base.js';
import { httpUrl } from '../../lib/http-url.js';

export const httpResourceSchema = resourceBase.extend({
  type: z.enum(['openai', 'http']),
  upstream: httpUrl,
  inject: z.strictObject({ headers: z.record(z.string(), z.string()).default({}) }).default({ headers: {} }),
  timeouts: upstreamTimeouts,
  /** A signed JWT naming the caller, added to every forwarded request (JWKS on the control plane). */
  identity_assertion: z
    .strictObject({
      header: z.string().regex(/^[A-Za-z0-9-]+$/, { message: 'must be a header name' }).default('Airlock-Identity'),
      audience: z.string().min(1),
      ttl_seconds: z.number().int().positive().max(3600).default(60),
    })
    .optional(),
});

export type HttpResourceConfig = z.infer<typeof httpResourceSchema>;
