// Sends finished spans to an OpenTelemetry collector over OTLP/HTTP with the JSON encoding
// (POST <endpoint>/v1/traces), in batches: every second or every 512 spans. A collector that is
// down costs dropped spans (counted), never a request's time: sending is off the request path,
// the queue is bounded, and a failed batch is not retried.
import { request } from 'undici';
import type { AttributeValue, FinishedSpan, SpanSink } from './tracer.js';

export interface OtlpOptions {
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly serviceName: string;
  readonly onDropped?: (count: number) => void;
}

const BATCH = 512;
const MAX_QUEUE = 8192;
const KIND = { internal: 1, server: 2, client: 3 } as const;

export class OtlpExporter implements SpanSink {
  private queue: FinishedSpan[] = [];
  private readonly timer: NodeJS.Timeout;
  private sending: Promise<void> = Promise.resolve();

  constructor(private readonly opts: OtlpOptions) {
    this.timer = setInterval(() => void this.flush(), 1000);
    this.timer.unref();
  }

  add(span: FinishedSpan): void {
    if (this.queue.length >= MAX_QUEUE) return this.opts.onDropped?.(1);
    this.queue.push(span);
    if (this.queue.length >= BATCH) void this.flush();
  }

  flush(): Promise<void> {
    this.sending = this.sending.then(async () => {
      while (this.queue.length) {
        const batch = this.queue.splice(0, BATCH);
        try {
          const res = await request(`${this.opts.endpoint.replace(/\/+$/, '')}/v1/traces`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...this.opts.headers },
            body: JSON.stringify(this.payload(batch)),
            headersTimeout: 5000,
            bodyTimeout: 5000,
          });
          await res.body.dump();
          if (res.statusCode >= 300) this.opts.onDropped?.(batch.length);
        } catch {
          this.opts.onDropped?.(batch.length);
        }
      }
    });
    return this.sending;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private payload(spans: readonly FinishedSpan[]) {
    return {
      resourceSpans: [
        {
          resource: { attributes: attributes({ 'service.name': this.opts.serviceName }) },
          scopeSpans: [
            {
              scope: { name: 'airlock' },
              spans: spans.map((s) => ({
                traceId: s.traceId,
                spanId: s.spanId,
                ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
                name: s.name,
                kind: KIND[s.kind],
                startTimeUnixNano: s.startNs,
                endTimeUnixNano: s.endNs,
                attributes: attributes(s.attributes),
                status: { code: s.error ? 2 : 0 },
              })),
            },
          ],
        },
      ],
    };
  }
}

/** OTLP's JSON attribute list: `[{key, value: {stringValue | intValue | doubleValue | boolValue | arrayValue}}]`. */
function attributes(attrs: Readonly<Record<string, AttributeValue>>) {
  return Object.entries(attrs).map(([key, v]) => ({ key, value: anyValue(v) }));
}

function anyValue(v: AttributeValue): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { arrayValue: { values: v.map((s) => ({ stringValue: s })) } };
}
