// Identify stage, S3 credentials: what an Airlock-issued access key looks like. The access key id
// is public (it names the key in every signed request, and in audit records); the secret is 240
// random bits, shown once, then kept only sealed (secret-sealer.ts).
import { randomBytes } from 'node:crypto';
import { hashApiKey } from '../api-keys/key-format.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export interface GeneratedS3Key {
  /** `AKAL` + 16 characters, 20 in all like AWS's. */
  readonly accessKeyId: string;
  /** 40 characters; shown once. */
  readonly secret: string;
  /** SHA-256 of the secret: the record's `hash` (never a bearer key). */
  readonly hash: string;
}

export function generateS3Key(): GeneratedS3Key {
  const id = [...randomBytes(16)].map((b) => BASE32[b & 31]).join('');
  const secret = randomBytes(30).toString('base64url');
  return { accessKeyId: `AKAL${id}`, secret, hash: hashApiKey(secret) };
}
