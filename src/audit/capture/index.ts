// Audit stage, body capture: what of a request body enters a record, and the secret redactor.
export { createCapture, type Capture, type CapturedBody } from './capture.js';
export { captureConfigSchema, DEFAULT_MAX_BYTES, type CaptureConfig, type CaptureMode, type CaptureRule } from './schema.js';
export { isSecretKeyName, REDACTED, redactSecrets, redactSecretsDetailed } from './secret-patterns.js';
