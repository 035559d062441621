// Identify stage, OIDC: the configured issuers, checked and made ready to verify with: their keys
// (a file read now, or a remote set kept fresh), claim rules and accepted token types.

import type { JWTVerifyGetKey } from 'jose';
import { AirlockError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { ClaimRules } from './claims.js';
import { DEFAULT_GROUPS_CLAIM, DEFAULT_JWKS_REFRESH_S, DEFAULT_TOKEN_TYPES, NAMESPACE_PATTERN, type OidcIssuerConfig } from './issuer-config.js';
import { loadJwksFile } from './jwks-file.js';
import { createRemoteJwks } from './jwks-remote.js';
import { discoverySource, jwksUriSource } from './key-source.js';
import { FOREVER, type KeyLife } from './published-keys.js';
import { normalizeType } from './token-type.js';

export interface Issuer {
  readonly config: OidcIssuerConfig;
  readonly rules: ClaimRules;
  /** Normalised `typ` values (token-type.ts). */
  readonly tokenTypes: ReadonlySet<string>;
  readonly getKey: JWTVerifyGetKey;
  lifeOf(kid: unknown): KeyLife | undefined;
  close(): void;
}

export interface IssuerOptions {
  readonly now: () => number;
  readonly baseDir: string;
  readonly log?: Logger;
  /** Test hook: the least time between reads triggered by unknown kids (ms). */
  readonly jwksCooldownMs?: number;
}

const invalid = (message: string) => new AirlockError('config_invalid', message);

export async function loadIssuers(configs: readonly OidcIssuerConfig[], opts: IssuerOptions): Promise<Map<string, Issuer>> {
  checkConfigs(configs);
  const issuers = new Map<string, Issuer>();
  try {
    for (const [i, config] of configs.entries()) issuers.set(config.issuer, await loadIssuer(config, `identity.oidc[${i}]`, opts));
  } catch (err) {
    for (const issuer of issuers.values()) issuer.close();
    throw err;
  }
  return issuers;
}

async function loadIssuer(config: OidcIssuerConfig, where: string, opts: IssuerOptions): Promise<Issuer> {
  const rules: ClaimRules = {
    groupsClaim: config.groups_claim ?? DEFAULT_GROUPS_CLAIM,
    ...(config.namespace !== undefined ? { namespace: config.namespace } : {}),
    ...(config.client_tokens !== undefined ? { clientTokens: config.client_tokens } : {}),
  };
  const base = { config, rules, tokenTypes: new Set((config.token_types ?? DEFAULT_TOKEN_TYPES).map(normalizeType)) };
  if (config.jwks_file !== undefined) {
    const getKey = await loadJwksFile(config.jwks_file, opts.baseDir, `${where}.jwks_file`);
    return { ...base, getKey, lifeOf: () => FOREVER, close: () => undefined };
  }
  const source = config.jwks_uri !== undefined ? jwksUriSource(config.jwks_uri) : discoverySource(config.issuer);
  const remote = createRemoteJwks(source, {
    now: opts.now,
    issuer: config.issuer,
    refreshMs: (config.jwks_refresh_seconds ?? DEFAULT_JWKS_REFRESH_S) * 1000,
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.jwksCooldownMs !== undefined ? { cooldownMs: opts.jwksCooldownMs } : {}),
  });
  return { ...base, getKey: remote.getKey, lifeOf: remote.lifeOf, close: remote.close };
}

function checkConfigs(configs: readonly OidcIssuerConfig[]): void {
  const seen = new Set<string>();
  for (const [i, config] of configs.entries()) {
    const where = `identity.oidc[${i}]`;
    if (seen.has(config.issuer)) throw invalid(`${where}.issuer: listed twice`);
    seen.add(config.issuer);
    if (config.jwks_file !== undefined && config.jwks_uri !== undefined) throw invalid(`${where}: set at most one of jwks_file and jwks_uri`);
    if (config.jwks_uri !== undefined && !isHttpUrl(config.jwks_uri)) throw invalid(`${where}.jwks_uri: must be an http(s) URL`);
    if (config.jwks_file === undefined && config.jwks_uri === undefined && !isHttpUrl(config.issuer)) {
      throw invalid(`${where}.issuer: must be an http(s) URL to find its keys by OpenID discovery (or set jwks_uri or jwks_file)`);
    }
    if (config.token_types?.length === 0) throw invalid(`${where}.token_types: must list at least one type`);
  }
  checkNamespaces(configs);
}

/**
 * With several issuers, a bare `sub` (or group) could name different people: each issuer needs
 * its own namespace, and the namespaces must differ.
 */
function checkNamespaces(configs: readonly OidcIssuerConfig[]): void {
  const seen = new Set<string>();
  for (const [i, { namespace }] of configs.entries()) {
    const where = `identity.oidc[${i}].namespace`;
    if (namespace === undefined) {
      if (configs.length > 1) throw invalid(`${where}: required when several issuers are configured`);
      continue;
    }
    if (!NAMESPACE_PATTERN.test(namespace)) throw invalid(`${where}: use letters, digits, ".", "_" or "-" (at most 64)`);
    if (seen.has(namespace)) throw invalid(`${where}: used by another issuer`);
    seen.add(namespace);
  }
}

function isHttpUrl(text: string): boolean {
  return URL.canParse(text) && /^https?:$/.test(new URL(text).protocol);
}
