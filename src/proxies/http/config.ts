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
});

export type HttpResourceConfig = z.infer<typeof httpResourceSchema>;
