// The configuration's one schema. Every section writes out its defaults here, so the rest of the
// code reads a complete, read-only object and never process.env (config/load.ts substitutes ${VAR}).
import { z } from 'zod';
import { channelSchema, webhookChannelSchema } from '../approvals/channels/index.js';
import { captureConfigSchema } from '../audit/capture/index.js';
import { listenerLimitsSchema } from '../gateway/listener-limits.js';
import { isCidr } from '../lib/client-ip.js';
import { formatPath } from '../lib/key-path.js';
import { alertsSchema } from '../alerts/schema.js';
import { httpUrl } from '../lib/http-url.js';
import { oidcIssuersSchema } from '../identify/oidc/issuer-schema.js';
import { rateLimitsSchema } from '../pipeline/rate-limits.js';
import { httpResourceSchema } from '../proxies/http/config.js';
import { mcpResourceSchema } from '../proxies/mcp/config.js';
import { s3ResourceSchema } from '../proxies/s3/config.js';
import { scanSecretReferences } from '../secrets/references.js';
import { admissionConfigSchema, kubernetesResourceSchema } from '../proxies/kubernetes/config.js';

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):\d{1,5}$/, { message: 'must be "host:port"' });

/** One schema per surface, told apart by `type`; each surface owns its keys. */
const resource = z.discriminatedUnion('type', [httpResourceSchema, mcpResourceSchema, s3ResourceSchema, kubernetesResourceSchema]);

export const configSchema = z
  .strictObject({
    listen: hostPort.default('127.0.0.1:8080'),
    admin: z.strictObject({ listen: hostPort.default('127.0.0.1:8081') }).default({ listen: '127.0.0.1:8081' }),
    /**
     * HTTPS on the data plane (`listen`): certificate and key, PEM files. kubectl sends its token
     * only over TLS, so a `kubernetes` resource needs this for kubectl (client libraries differ).
     */
    tls: z.strictObject({ cert_file: z.string().min(1), key_file: z.string().min(1) }).optional(),
    /** The Kubernetes validating admission webhook (see src/proxies/kubernetes/admission): always TLS. */
    admission: admissionConfigSchema.optional(),
    /** Gateway processes sharing the listeners (one per core with "auto"); `serve --workers` overrides. */
    workers: z.union([z.number().int().min(1).max(64), z.literal('auto')]).default(1),
    /** Proxies in front of the gateway whose X-Forwarded-For is believed (CIDRs or addresses). */
    trusted_proxies: z.array(z.string().refine(isCidr, { message: 'must be an IP address or CIDR like "10.0.0.0/8"' })).default([]),
    store: z
      .string()
      .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, { message: 'must be "sqlite:PATH" or "postgres://..."' })
      .default('sqlite:./data/airlock.db'),
    identity: z
      .strictObject({
        oidc: oidcIssuersSchema,
        /** Ed25519 key that signs identity assertions for upstreams; created (0600) on first use. */
        assertion_key_file: z.string().min(1).default('./data/identity.key'),
        /** `iss` of the assertions. */
        assertion_issuer: z.string().min(1).default('airlock'),
      })
      .prefault({}),
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
        /** Public keys (PEM) of signing keys retired by rotation: their checkpoints still verify. */
        previous_public_keys: z.array(z.string().min(1)).default([]),
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
        /** Approvals one principal may have open at once; past it, 429 too_many_pending. */
        max_pending_per_principal: z.number().int().positive().default(20),
        /** Base URL of the control plane as approvers reach it (links in notifications). */
        console_url: httpUrl.optional(),
      })
      .prefault({}),
    limits: z
      .strictObject({
        max_body_bytes: z.number().int().positive().default(10 * 1024 * 1024),
        /** Timeouts and connection caps of every listener. */
        listeners: listenerLimitsSchema.prefault({}),
        /** Requests per principal and per address without a credential; see pipeline/rate-limits.ts. */
        rate: rateLimitsSchema.prefault({}),
      })
      .prefault({}),
    resources: z.array(resource).default([]),
    /** The encrypted secret store; `${secret:NAME}` in credential values needs it. */
    secrets: z
      .strictObject({
        /** The key-encryption keys (created 0600 on first use): keep it apart from the store's backups. */
        kek_file: z.string().min(1).default('./data/secrets.kek'),
      })
      .optional(),
    /** Alert rules over the audit log, delivered through the approval channels. */
    alerts: alertsSchema,
    /** The key-encryption key that seals S3 secrets (`airlock keys create --s3`); created 0600 on first use. */
    s3_keys: z.strictObject({ kek_file: z.string().min(1).default('./data/s3-keys.kek') }).prefault({}),
    /** OpenTelemetry traces, off unless an OTLP/HTTP endpoint is named. */
    telemetry: z
      .strictObject({
        otlp: z
          .strictObject({
            endpoint: httpUrl,
            headers: z.record(z.string(), z.string()).default({}),
            service_name: z.string().min(1).default('airlock'),
          })
          .optional(),
      })
      .default({}),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.resources.forEach((r, i) => {
      if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: ['resources', i, 'name'], message: `duplicate resource name "${r.name}"` });
      seen.add(r.name);
    });
    const { references, problems } = scanSecretReferences(cfg);
    for (const p of problems) ctx.addIssue({ code: 'custom', path: [...p.path], message: p.message });
    if (references.length && !cfg.secrets) {
      ctx.addIssue({ code: 'custom', path: ['secrets'], message: `required by the \${secret:...} references (first at ${formatPath(references[0]!.path)}); add secrets: { kek_file: "./data/secrets.kek" }` });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type ResourceConfig = Config['resources'][number];
export type OidcIssuerConfig = Config['identity']['oidc'][number];
