// Identify stage: public API. Credentials in, Principal out.

export { createIdentifier, type Identifier, type IdentifierOptions } from './identifier.js';
export { bearerToken } from './bearer.js';
export type { OidcIssuerConfig } from './oidc/issuer-config.js';
export { ALLOWED_ALGORITHMS, CLOCK_TOLERANCE_S, DEFAULT_GROUPS_CLAIM } from './oidc/issuer-config.js';
export { createOidcVerifier, type OidcVerifier, type OidcVerifierOptions } from './oidc/verify-token.js';
export {
  API_KEY_PREFIX,
  generateApiKey,
  hashApiKey,
  isWellFormedApiKey,
  type GeneratedApiKey,
} from './api-keys/key-format.js';
export { LiveKeys, type LiveKeysOptions } from './api-keys/live-keys.js';
export {
  DEFAULT_DEV_DIR,
  DEV_AUDIENCE,
  DEV_ISSUER,
  devJwks,
  devJwksPath,
  ensureDevKey,
  signDevToken,
  type DevKey,
  type DevTokenOptions,
} from './dev-keys.js';
