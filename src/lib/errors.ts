// One error type whose codes are the contract's problem codes, so callers switch on `code`.

export type ErrorCode =
  | 'unauthenticated'
  | 'mfa_required'
  | 'denied'
  | 'approval_required'
  | 'tool_changed'
  | 'not_found'
  | 'conflict'
  | 'bad_request'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'too_many_pending'
  | 'quota_exceeded'
  | 'upstream_unavailable'
  | 'upstream_timeout'
  | 'audit_unavailable'
  | 'store_unavailable'
  | 'config_invalid'
  | 'policy_invalid'
  | 'secret_tampered'
  | 'internal';

export class AirlockError extends Error {
  override readonly name = 'AirlockError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A thrown value as one line for a log (never an object that might carry request data). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
