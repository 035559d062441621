// Traces of the request path: one server span per data-plane request (a child of the caller's
// `traceparent` when it sends one) with a child span per stage: identify, decide, approval wait,
// audit commit, upstream. Attributes say what was decided (decision, policy ids, action,
// resource, request id), never a credential or a body. Spans are recorded as plain data and
// handed to the exporter in batches; nothing here waits on the network. With telemetry off there
// is no tracer at all, and a caller's traceparent reaches the upstream unchanged.
import { formatTraceParent, newSpanId, newTraceId, parseTraceParent } from './trace-context.js';

export type SpanKind = 'server' | 'internal' | 'client';
export type AttributeValue = string | number | boolean | readonly string[];

export interface FinishedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: SpanKind;
  /** Unix epoch nanoseconds, as decimal strings (OTLP's JSON form of 64-bit integers). */
  readonly startNs: string;
  readonly endNs: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly error?: boolean;
}

export interface SpanSink {
  add(span: FinishedSpan): void;
}

/** performance.now() readings turned into epoch nanoseconds. */
const origin = BigInt(Math.round(performance.timeOrigin * 1e6));
const epochNs = (t: number): string => (origin + BigInt(Math.round(t * 1e6))).toString();

export class RequestTrace {
  readonly traceId: string;
  readonly spanId = newSpanId();
  private readonly parentSpanId: string | undefined;
  private readonly attributes: Record<string, AttributeValue> = {};

  constructor(
    private readonly sink: SpanSink,
    traceparent: string | string[] | undefined,
    private readonly started: number,
    private readonly name: string,
  ) {
    const parent = parseTraceParent(traceparent);
    this.traceId = parent?.traceId ?? newTraceId();
    this.parentSpanId = parent?.spanId;
  }

  /** Adds attributes to the request's own span. */
  set(attributes: Readonly<Record<string, AttributeValue | undefined>>): void {
    for (const [k, v] of Object.entries(attributes)) if (v !== undefined) this.attributes[k] = v;
  }

  /** Records a finished stage as a child of the request span; returns its span id. */
  stage(name: string, start: number, end: number, attributes: Readonly<Record<string, AttributeValue>> = {}, kind: SpanKind = 'internal', spanId = newSpanId()): string {
    this.sink.add({ traceId: this.traceId, spanId, parentSpanId: this.spanId, name, kind, startNs: epochNs(start), endNs: epochNs(end), attributes });
    return spanId;
  }

  /** The traceparent for a call to the upstream made as span `spanId` (recorded later with stage()). */
  outgoing(spanId: string): string {
    return formatTraceParent(this.traceId, spanId, true);
  }

  end(end: number, error = false): void {
    this.sink.add({
      traceId: this.traceId,
      spanId: this.spanId,
      ...(this.parentSpanId ? { parentSpanId: this.parentSpanId } : {}),
      name: this.name,
      kind: 'server',
      startNs: epochNs(this.started),
      endNs: epochNs(end),
      attributes: this.attributes,
      ...(error ? { error } : {}),
    });
  }
}

export { newSpanId };
