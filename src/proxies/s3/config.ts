// Configuration of `s3` resources: an S3-compatible store reached path-style, the region clients
// sign for, the gateway's own credentials for the store (never shown to clients), and the dataset
// prefixes whose attributes become parents of every object under them.
import { z } from 'zod';
import { attributeValue, resourceBase, upstreamTimeouts } from '../../config/resource-base.js';
import { httpUrl } from '../../lib/http-url.js';

/** S3 bucket naming rules (lower-case letters, digits, dots and hyphens, 3 to 63 characters). */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const dataset = z.strictObject({
  bucket: z.string().regex(BUCKET_NAME, { message: 'must be an S3 bucket name' }),
  /** A key prefix, usually ending in "/"; "" is the whole bucket. */
  prefix: z.string().default(''),
  attributes: z.record(z.string(), attributeValue).default({}),
});

export const s3ResourceSchema = resourceBase
  .extend({
    type: z.literal('s3'),
    upstream: httpUrl,
    /** The region clients sign for (their SDK's `region`), and the one the gateway signs for upstream. */
    region: z.string().regex(/^[a-z0-9-]+$/, { message: 'must be a region name like "us-east-1"' }).default('us-east-1'),
    inject: z.strictObject({
      aws: z.strictObject({ access_key_id: z.string().min(1), secret_access_key: z.string().min(1) }),
    }),
    datasets: z.array(dataset).default([]),
    timeouts: upstreamTimeouts,
  })
  .superRefine((r, ctx) => {
    const seen = new Set<string>();
    r.datasets.forEach((d, i) => {
      const id = `${d.bucket}/${d.prefix}`;
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path: ['datasets', i, 'prefix'], message: `duplicate dataset "${id}"` });
      seen.add(id);
    });
  });

export type S3ResourceConfig = z.infer<typeof s3ResourceSchema>;
export type DatasetConfig = S3ResourceConfig['datasets'][number];
