// Identify stage, OIDC: maps a jose failure to a short, fixed refusal reason.
//
// Only these fixed strings leave this module. jose's errors carry the decoded claims set
// (`err.payload`) and sometimes values from the token in their messages, so they are never
// passed on, not even as `cause`.

import { errors } from 'jose';

export function refusalReason(err: unknown): string {
  if (!(err instanceof errors.JOSEError)) return 'issuer signing keys unavailable';
  switch (err.code) {
    case 'ERR_JWT_EXPIRED':
      return 'token expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return claimReason((err as errors.JWTClaimValidationFailed).claim);
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'token algorithm not accepted';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'invalid token signature';
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'no signing key matches the token';
    case 'ERR_JWKS_INVALID':
    case 'ERR_JWKS_TIMEOUT':
      return 'issuer signing keys unavailable';
    default:
      return 'malformed token';
  }
}

function claimReason(claim: string): string {
  switch (claim) {
    case 'aud':
      return 'token audience not accepted';
    case 'iss':
      return 'token issuer not accepted';
    case 'nbf':
      return 'token not yet valid';
    case 'exp':
      return 'token has no valid expiry';
    case 'sub':
      return 'token has no subject';
    default:
      return 'token claims not accepted';
  }
}
