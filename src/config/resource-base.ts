// What every configured resource has, whatever its type: a name (its mount, `/<name>/...`, and
// its entity `Resource::"<name>"`) and attributes. Each surface extends this with its own keys
// (src/proxies/<type>/config.ts); schema.ts joins them into one union on `type`.
import { z } from 'zod';

export const attributeValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number().int(), z.boolean(), z.array(attributeValue), z.record(z.string(), attributeValue)]),
);

const resourceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, { message: 'must be lower-case letters, digits, "-" or "_"' });

export const resourceBase = z.strictObject({
  name: resourceName,
  attributes: z.record(z.string(), attributeValue).default({}),
});

/** Connect and response limits for a surface's upstream: 502 upstream_unavailable / 504 upstream_timeout. */
export const upstreamTimeouts = z
  .strictObject({
    connect_ms: z.number().int().positive().default(5_000),
    response_ms: z.number().int().positive().default(300_000),
  })
  .default({ connect_ms: 5_000, response_ms: 300_000 });
