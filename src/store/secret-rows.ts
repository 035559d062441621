// A stored secret version as both backends read it back (same column names in SQLite and PostgreSQL).
import type { SealedSecretVersion } from './ports.js';

export interface SecretVersionRow {
  name: string;
  version: number;
  kek_id: string;
  wrapped_key: Buffer;
  ciphertext: Buffer;
  created_at: number;
}

export const toSecretVersion = (r: SecretVersionRow): SealedSecretVersion => ({
  name: r.name,
  version: r.version,
  kekId: r.kek_id,
  wrappedKey: r.wrapped_key,
  ciphertext: r.ciphertext,
  createdAt: r.created_at,
});
