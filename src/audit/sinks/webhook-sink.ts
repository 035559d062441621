// The webhook SIEM sink: POSTs each batch as a JSON array of records, signed like approval
// notifications (`Airlock-Signature`, lib/webhook-signature.ts). The body is built from the
// stored lines themselves, not re-serialised, so the receiver gets each record's exact bytes:
// the Merkle leaf data it can check against a checkpoint. Only a 2xx counts as delivered.
import { request } from 'undici';
import { SIGNATURE_HEADER, signWebhook } from '../../lib/webhook-signature.js';
import type { StoredAuditRecord } from '../../store/ports.js';
import type { SinkTarget } from './types.js';

export interface WebhookSinkConfig {
  readonly url: string;
  readonly secret: string;
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 5_000;

/** `[line,line,...]`: valid JSON because each line is one JSON object. */
export function batchBody(records: readonly StoredAuditRecord[]): string {
  return `[${records.map((r) => r.line).join(',')}]`;
}

export function webhookSink(config: WebhookSinkConfig, timeoutMs = DEFAULT_WEBHOOK_TIMEOUT_MS): SinkTarget {
  return {
    name: `webhook:${config.url}`,
    label: `webhook:${redactUrl(config.url)}`,
    async deliver(records, signal) {
      const body = batchBody(records);
      const res = await request(config.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signWebhook(config.secret, body),
          'airlock-sink-first-seq': String(records[0]!.seq),
          'airlock-sink-last-seq': String(records[records.length - 1]!.seq),
        },
        body,
        // One deadline for connect, headers and body: a receiver that accepts and then stalls is
        // as dead as one that refuses, and must not hold the batch longer than this.
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
      // Drained either way, so the connection goes back to the pool.
      await res.body.dump();
      if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`webhook sink answered HTTP ${res.statusCode}`);
    },
  };
}

/** Drops userinfo and the query (where tokens tend to live) from a URL shown in logs and metrics. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '[invalid url]';
  }
}
