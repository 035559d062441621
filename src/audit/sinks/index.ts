// SIEM export of the audit log: at-least-once, in-order delivery to webhook and file sinks.
export { startSinks, sinkTarget, type Sinks, type SinkConfig, type StartSinksOptions } from './start-sinks.js';
export { SinkDelivery, type SinkDeliveryOptions } from './sink-delivery.js';
export { webhookSink, batchBody, type WebhookSinkConfig } from './webhook-sink.js';
export { fileSink } from './file-sink.js';
export { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
export type { SinkTarget, SinkStats, SinkCallbacks, BackoffOptions } from './types.js';
