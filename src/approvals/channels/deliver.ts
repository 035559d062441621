// One message to one channel: POST with a timeout, retried with capped exponential backoff and
// jitter. It never throws; it settles with what happened, for the notifier to report.
import type { RenderedMessage } from './webhook-payload.js';
import { errorMessage } from '../../lib/errors.js';

export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly maxAttempts: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, maxMs: 30_000, maxAttempts: 8 };
export const SEND_TIMEOUT_MS = 5_000;

export interface SendResult {
  readonly ok: boolean;
  readonly attempts: number;
  readonly error?: string;
}

export interface SendOptions {
  readonly backoff: Backoff;
  readonly timeoutMs: number;
  /** Aborted when the notifier closes: in-flight requests and pending retries end at once. */
  readonly stop: AbortSignal;
  readonly now: () => number;
  readonly onRetry?: (attempt: number, error: string, delayMs: number) => void;
}

type Attempt = { ok: true } | { ok: false; error: string; retry: boolean; retryAfterMs?: number };

export async function sendWithRetry(url: string, message: RenderedMessage, opts: SendOptions): Promise<SendResult> {
  let last = 'not attempted';
  for (let n = 1; n <= opts.backoff.maxAttempts; n++) {
    if (opts.stop.aborted) return { ok: false, attempts: n - 1, error: `${last}; notifier closed` };
    const result = await attempt(url, message, opts);
    if (result.ok) return { ok: true, attempts: n };
    last = result.error;
    if (!result.retry || n === opts.backoff.maxAttempts) return { ok: false, attempts: n, error: last };
    const delay = Math.min(opts.backoff.maxMs, Math.max(result.retryAfterMs ?? 0, jittered(opts.backoff, n)));
    opts.onRetry?.(n, last, delay);
    await sleep(delay, opts.stop);
  }
  return { ok: false, attempts: opts.backoff.maxAttempts, error: last };
}

// "Equal jitter": half the exponential delay is kept, half is random, so retries from many
// approvals against one recovering endpoint spread out without collapsing to zero.
function jittered(b: Backoff, attempt: number): number {
  const base = Math.min(b.maxMs, b.initialMs * 2 ** (attempt - 1));
  return base / 2 + Math.random() * (base / 2);
}

async function attempt(url: string, message: RenderedMessage, opts: SendOptions): Promise<Attempt> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'user-agent': 'airlock-notifier', ...message.headers(opts.now()) },
      body: message.body,
      // A redirect would carry approval details to a host nobody configured: not followed.
      redirect: 'manual',
      signal: AbortSignal.any([AbortSignal.timeout(opts.timeoutMs), opts.stop]),
    });
    const text = await snippet(res);
    if (res.status >= 200 && res.status < 300) return { ok: true };
    // 408, 425, 429 and 5xx are passing conditions. Other 4xx (a revoked Slack or Teams webhook
    // answers 403/404/410) and 3xx will not change on retry, so the failure is reported at once
    // instead of after minutes of backoff.
    const transient = res.status === 408 || res.status === 425 || res.status === 429 || res.status >= 500;
    return { ok: false, error: `HTTP ${res.status}${text ? `: ${text}` : ''}`, retry: transient, retryAfterMs: retryAfter(res) };
  } catch (err) {
    return { ok: false, error: describe(err, opts.timeoutMs), retry: true };
  }
}

// The start of the answer, for the report; the rest is discarded unread so a chatty or hostile
// receiver cannot make the notifier buffer a large body.
async function snippet(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  try {
    const first = await reader.read();
    return first.value ? Buffer.from(first.value).subarray(0, 200).toString('utf8').replace(/\s+/g, ' ').trim() : '';
  } catch {
    return '';
  } finally {
    reader.cancel().catch(() => {});
  }
}

function retryAfter(res: Response): number | undefined {
  const h = res.headers.get('retry-after');
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && err.name === 'TimeoutError') return `timeout after ${timeoutMs} ms`;
  if (err instanceof Error && err.name === 'AbortError') return 'aborted';
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (errorMessage(err));
}

function sleep(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (stop.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      stop.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop.addEventListener('abort', done, { once: true });
  });
}
