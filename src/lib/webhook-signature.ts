// The signature on every webhook Airlock sends (approval notifications, SIEM batches):
// `Airlock-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. The timestamp is
// signed with the body so a receiver can refuse replays older than its window.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'airlock-signature';

export function signWebhook(secret: string, body: string, nowMs: number = Date.now()): string {
  const t = Math.floor(nowMs / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

/** For receivers (and tests): true when the header signs this body within `toleranceS` of now. */
export function verifyWebhook(secret: string, body: string, header: string, nowMs: number = Date.now(), toleranceS = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isSafeInteger(t) || !parts.v1 || Math.abs(nowMs / 1000 - t) > toleranceS) return false;
  const want = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const got = Buffer.from(parts.v1);
  return want.length === got.length && timingSafeEqual(want, got);
}
