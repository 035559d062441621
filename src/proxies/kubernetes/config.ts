// Configuration of `kubernetes` resources: the API server to proxy (`upstream`, the gateway's own
// credential under `inject`, TLS to it), and what admission needs (GPU quotas per team, the label
// that names a team, which extended resources are GPUs, the answer budget, how often allocations
// are reconciled from the API).
import { z } from 'zod';
import { resourceBase, upstreamTimeouts } from '../../config/resource-base.js';
import { httpUrl } from '../../lib/http-url.js';

export const kubernetesResourceSchema = resourceBase.extend({
  type: z.literal('kubernetes'),
  upstream: httpUrl,
  inject: z.strictObject({ headers: z.record(z.string(), z.string()).default({}) }).default({ headers: {} }),
  /** TLS to the API server: its CA (PEM file), or no verification at all (a throwaway test cluster only). */
  tls: z
    .strictObject({
      ca_file: z.string().min(1).optional(),
      insecure_skip_verify: z.boolean().default(false),
    })
    .default({ insecure_skip_verify: false }),
  timeouts: upstreamTimeouts,
  /** Extended resources counted as GPUs in `context.gpus` and the quotas. */
  gpu_resources: z.array(z.string().min(1)).min(1).default(['nvidia.com/gpu']),
  /** The object label that names its team (admission: `context.team`, quotas). */
  team_label: z.string().min(1).default('team'),
  /** GPUs each team may hold at once across every admitted object, enforced across replicas. */
  quotas: z.array(z.strictObject({ team: z.string(), gpus: z.number().int().min(0) })).default([]),
  /** Admission answers come within this; past it the answer is a refusal (fail closed). */
  budget_ms: z.number().int().min(50).max(29_000).default(2_000),
  /** How often GPU allocations are recounted from a list of the cluster's workloads (0: never). */
  reconcile_seconds: z.number().int().min(0).default(60),
});

export type KubernetesResourceConfig = z.infer<typeof kubernetesResourceSchema>;

/** The admission webhook's own listener: the API server calls it over TLS only. */
export const admissionConfigSchema = z.strictObject({
  listen: z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):\d{1,5}$/, { message: 'must be "host:port"' }),
  cert_file: z.string().min(1),
  key_file: z.string().min(1),
  /** When set, callers must present a client certificate signed by this CA (the API server's, via its admission kubeconfig). */
  client_ca_file: z.string().min(1).optional(),
});

export type AdmissionConfig = z.infer<typeof admissionConfigSchema>;
