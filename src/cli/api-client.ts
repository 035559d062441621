// The CLI's client for a running gateway's control plane: `--server URL`, token from AIRLOCK_TOKEN.
// Problems from the server are printed as one line (`code: detail`) and exit 1.
import type { Command } from 'commander';
import { AirlockError } from '../lib/errors.js';

export interface ServerOptions {
  readonly server: string;
}

export function withServerOption(cmd: Command): Command {
  return cmd.option('--server <url>', 'the gateway control plane', process.env.AIRLOCK_SERVER ?? 'http://127.0.0.1:8081');
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function callApi<T>(opts: ServerOptions, method: 'GET' | 'POST', path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
  return (await request<T>(opts, method, path, body, headers)).json;
}

/** Every item of a paged list, following `Link: <...>; rel="next"` from page to page. */
export async function callApiPages<T>(opts: ServerOptions, path: string): Promise<T[]> {
  const items: T[] = [];
  for (let next: string | undefined = path; next; ) {
    const page: { json: T[]; link: string | null } = await request<T[]>(opts, 'GET', next);
    items.push(...page.json);
    next = /<([^>]+)>;\s*rel="next"/.exec(page.link ?? '')?.[1];
  }
  return items;
}

async function request<T>(opts: ServerOptions, method: 'GET' | 'POST', path: string, body?: unknown, extra?: Record<string, string>): Promise<{ json: T; link: string | null }> {
  const token = process.env.AIRLOCK_TOKEN;
  if (!token) throw new ApiError(0, 'usage', 'set AIRLOCK_TOKEN to your bearer token');
  let res: Response;
  try {
    res = await fetch(new URL(path, opts.server), {
      method,
      headers: { ...extra, authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new ApiError(0, 'unreachable', `cannot reach ${opts.server}`);
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const p = (json ?? {}) as { code?: string; detail?: string };
    throw new ApiError(res.status, p.code ?? String(res.status), p.detail ?? res.statusText);
  }
  return { json: json as T, link: res.headers.get('link') };
}

/** Runs a CLI action; an ApiError becomes one line on stderr and exit 1 (2 for usage). */
export function apiAction<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (err instanceof AirlockError) {
        process.stderr.write(`${err.message}\n`);
        process.exitCode = 2;
        return;
      }
      if (!(err instanceof ApiError)) throw err;
      process.stderr.write(`${err.code}: ${err.message}\n`);
      process.exitCode = err.code === 'usage' ? 2 : 1;
    }
  };
}
