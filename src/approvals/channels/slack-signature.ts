// "Verifying requests from Slack": `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret,
// "v0:<X-Slack-Request-Timestamp>:<raw body>")>`. The timestamp is part of what is signed, and a
// request more than five minutes from now is refused, so a captured request cannot be replayed
// later. Within the window a replay can only repeat the same vote, which the approval service
// counts once per approver.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SLACK_TIMESTAMP_HEADER = 'x-slack-request-timestamp';
export const SLACK_SIGNATURE_HEADER = 'x-slack-signature';
export const SLACK_REPLAY_WINDOW_S = 5 * 60;

export function signSlackRequest(signingSecret: string, rawBody: string, timestamp: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export function verifySlackSignature(
  signingSecret: string,
  rawBody: string,
  timestampHeader: string | undefined,
  signatureHeader: string | undefined,
  nowMs: number,
): boolean {
  if (!timestampHeader || !signatureHeader || !/^\d{1,12}$/.test(timestampHeader)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestampHeader)) > SLACK_REPLAY_WINDOW_S) return false;
  const want = Buffer.from(signSlackRequest(signingSecret, rawBody, timestampHeader));
  const got = Buffer.from(signatureHeader);
  return want.length === got.length && timingSafeEqual(want, got);
}
