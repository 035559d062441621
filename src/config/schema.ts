// The configuration's one schema. Every section writes out its defaults here, so the rest of the
// code reads a complete, read-only object and never process.env (config/load.ts substitutes ${VAR}).
import { z } from 'zod';
import { channelSchema, webhookChannelSchema } from '../approvals/channels/index.js';
import { captureConfigSchema } from '../audit/capture/index.js';
import { httpUrl } from '../lib/http-url.js';
import { httpResourceSchema } from '../proxies/http/config.js';
import { mcpResourceSchema } from '../proxies/mcp/config.js';

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):\d{1,5}$/, { message: 'must be "host:port"' });

const oidcIssuer = z
  .strictObject({
    issuer: z.string().min(1),
    audience: z.string().min(1),
    jwks_file: z.string().min(1).optional(),
    jwks_uri: httpUrl.optional(),
    groups_claim: z.string().min(1).default('groups'),
  })
  .refine((o) => Boolean(o.jwks_file) !== Boolean(o.jwks_uri), {
    message: 'needs exactly one of jwks_file or jwks_uri',
  });

/** One schema per surface, told apart by `type`; each surface owns its keys. */
const resource = z.discriminatedUnion('type', [httpResourceSchema, mcpResourceSchema]);

export const configSchema = z
  .strictObject({
    listen: hostPort.default('127.0.0.1:8080'),
    admin: z.strictObject({ listen: hostPort.default('127.0.0.1:8081') }).default({ listen: '127.0.0.1:8081' }),
    store: z
      .string()
      .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, { message: 'must be "sqlite:PATH" or "postgres://..."' })
      .default('sqlite:./data/airlock.db'),
    identity: z
      .strictObject({ oidc: z.array(oidcIssuer).default([]) })
      .default({ oidc: [] }),
    policy: z
      .strictObject({
        dir: z.string().min(1).default('./policies'),
        /** A candidate bundle decided beside the live one, never affecting requests (shadow mode). */
        shadow_dir: z.string().min(1).optional(),
      })
      .default({ dir: './policies' }),
    audit: z
      .strictObject({
        signing_key_file: z.string().min(1).default('./data/audit.key'),
        origin: z.string().min(1).default('airlock.local/audit'),
        mode: z.enum(['strict', 'async']).default('strict'),
        checkpoint_seconds: z.number().positive().default(5),
        capture: captureConfigSchema.prefault({}),
        sinks: z
          .array(
            z.discriminatedUnion('type', [
              webhookChannelSchema,
              z.strictObject({ type: z.literal('file'), path: z.string().min(1) }),
            ]),
          )
          .default([]),
      })
      .prefault({}),
    approvals: z
      .strictObject({
        hold_seconds: z.number().int().min(0).default(0),
        ttl_seconds: z.number().int().positive().default(3600),
        notify: z.array(channelSchema).default([]),
        /** Base URL of the control plane as approvers reach it (links in notifications). */
        console_url: httpUrl.optional(),
      })
      .default({ hold_seconds: 0, ttl_seconds: 3600, notify: [] }),
    limits: z
      .strictObject({ max_body_bytes: z.number().int().positive().default(10 * 1024 * 1024) })
      .default({ max_body_bytes: 10 * 1024 * 1024 }),
    resources: z.array(resource).default([]),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.resources.forEach((r, i) => {
      if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: ['resources', i, 'name'], message: `duplicate resource name "${r.name}"` });
      seen.add(r.name);
    });
  });

export type Config = z.infer<typeof configSchema>;
export type ResourceConfig = Config['resources'][number];
export type OidcIssuerConfig = Config['identity']['oidc'][number];
