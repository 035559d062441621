// The gateway's own reads of the API server, with its own credential (`inject`): the current
// object a patch or scale would change (so the decision sees the replicas and GPUs it would lead
// to), and the lists the GPU allocation is reconciled from. What is read here never reaches a
// client; it only feeds decisions and quota bookkeeping.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Pool, errors } from 'undici';
import { AirlockError } from '../../lib/errors.js';
import type { UpstreamTarget } from '../http/forward.js';
import type { LiveInject } from '../http/live-inject.js';
import type { KubernetesResourceConfig } from './config.js';

/** The config's upstream facts as the forwarder and this client take them (CA read once, at mount). */
export function upstreamTarget(config: KubernetesResourceConfig, baseDir: string): UpstreamTarget {
  const ca = config.tls.ca_file ? readFileSync(path.resolve(baseDir, config.tls.ca_file), 'utf8') : undefined;
  return {
    name: config.name,
    upstream: config.upstream,
    inject: config.inject,
    timeouts: config.timeouts,
    tls: { ca, rejectUnauthorized: !config.tls.insecure_skip_verify },
  };
}

export const GATEWAY_USER_AGENT = 'airlock-gateway';

export class KubernetesApi {
  private readonly pool: Pool;
  private readonly basePath: string;

  /** `inject`: the forwarder's credential headers, so a new secret version reaches these reads too. */
  constructor(
    target: UpstreamTarget,
    private readonly inject: LiveInject,
  ) {
    const url = new URL(target.upstream);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      connections: 8,
      connectTimeout: target.timeouts.connect_ms,
      headersTimeout: target.timeouts.response_ms,
      bodyTimeout: target.timeouts.response_ms,
      ...(target.tls ? { connect: { ca: target.tls.ca, rejectUnauthorized: target.tls.rejectUnauthorized } } : {}),
    });
  }

  /** The object at `apiPath` (an API path such as `/apis/apps/v1/namespaces/ml/deployments/x`); undefined when there is none. */
  async get(apiPath: string, timeoutMs?: number): Promise<Record<string, unknown> | undefined> {
    let res;
    try {
      res = await this.pool.request({
        method: 'GET',
        path: `${this.basePath}${apiPath}`,
        // The user agent tells the API server's audit log these reads are the gateway's own.
        headers: { accept: 'application/json', 'user-agent': GATEWAY_USER_AGENT, ...Object.fromEntries(this.inject.current()) },
        ...(timeoutMs ? { headersTimeout: timeoutMs, bodyTimeout: timeoutMs } : {}),
      });
    } catch (err) {
      throw upstreamError(err);
    }
    const text = await res.body.text().catch((err: unknown) => {
      throw upstreamError(err);
    });
    if (res.statusCode === 404) return undefined;
    if (res.statusCode !== 200) {
      throw new AirlockError('upstream_unavailable', `the API server answered ${res.statusCode} to the gateway's read of ${apiPath.slice(0, 200)}`);
    }
    try {
      const value = JSON.parse(text) as unknown;
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // falls through
    }
    throw new AirlockError('upstream_unavailable', `the API server's answer to ${apiPath.slice(0, 200)} is not a JSON object`);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

function upstreamError(err: unknown): AirlockError {
  if (err instanceof AirlockError) return err;
  const timedOut = err instanceof errors.ConnectTimeoutError || err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError;
  return timedOut
    ? new AirlockError('upstream_timeout', 'the API server did not answer in time')
    : new AirlockError('upstream_unavailable', 'the API server could not be reached');
}
