// Settings that are valid but risky, for `airlock config check`: each warning names the key path
// and what could go wrong. They never stop the gateway; `config check --strict` lets a pipeline
// refuse them.
import { DEV_ISSUER } from '../identify/dev-keys.js';
import { isLoopbackHost, isPublicHost } from '../lib/host-scope.js';
import type { Config } from './schema.js';

export interface ConfigWarning {
  readonly path: string;
  readonly message: string;
}

/** `host:port` -> host (`[::1]:8080` -> `[::1]`). */
const hostOf = (listen: string) => listen.slice(0, listen.lastIndexOf(':'));

/** Outbound URLs by key path, whatever the section. */
function outboundUrls(config: Config): [string, string][] {
  const urls: [string, string][] = [];
  config.resources.forEach((r, i) => {
    if ('upstream' in r && typeof r.upstream === 'string') urls.push([`resources[${i}].upstream`, r.upstream]);
  });
  config.identity.oidc.forEach((o, i) => o.jwks_uri && urls.push([`identity.oidc[${i}].jwks_uri`, o.jwks_uri]));
  config.approvals.notify.forEach((c, i) => urls.push([`approvals.notify[${i}].url`, c.url]));
  config.audit.sinks.forEach((s, i) => 'url' in s && urls.push([`audit.sinks[${i}].url`, s.url]));
  if (config.telemetry.otlp) urls.push(['telemetry.otlp.endpoint', config.telemetry.otlp.endpoint]);
  return urls;
}

export function configWarnings(config: Config): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const listeners: [string, string][] = [['listen', config.listen], ['admin.listen', config.admin.listen]];
  const exposed = listeners.filter(([, listen]) => !isLoopbackHost(hostOf(listen)));

  config.identity.oidc.forEach((o, i) => {
    if (o.issuer.replace(/\/+$/, '') === DEV_ISSUER && exposed.length > 0) {
      warnings.push({
        path: `identity.oidc[${i}].issuer`,
        message: `the development issuer is trusted while ${exposed.map(([p]) => p).join(' and ')} listens beyond this machine: whoever reads its key can sign in as anyone`,
      });
    }
  });

  // The listeners speak plain HTTP; that is safe beyond loopback only behind a TLS-terminating
  // proxy, which then also has to be listed in trusted_proxies for client addresses to be right.
  if (config.trusted_proxies.length === 0) {
    for (const [path, listen] of exposed) {
      warnings.push({ path, message: `plain HTTP on ${listen}, beyond loopback and with no trusted_proxies: bearer tokens cross the network unencrypted unless TLS terminates in front (then list that proxy in trusted_proxies)` });
    }
  }

  config.trusted_proxies.forEach((cidr, i) => {
    if (/\/0$/.test(cidr)) {
      warnings.push({ path: `trusted_proxies[${i}]`, message: `${cidr} trusts X-Forwarded-For from every address: any client can choose its own source_ip` });
    }
  });

  if (config.audit.mode === 'async') {
    warnings.push({ path: 'audit.mode', message: 'async: requests are forwarded before their decision record is committed, so a crash can lose the record of a forwarded request' });
  }

  for (const [path, url] of outboundUrls(config)) {
    const parsed = URL.canParse(url) ? new URL(url) : undefined;
    if (parsed?.protocol === 'http:' && isPublicHost(parsed.hostname)) {
      warnings.push({ path, message: `plain http to ${parsed.host}, which looks public: credentials and data would cross the internet unencrypted (use https)` });
    }
  }
  return warnings;
}
