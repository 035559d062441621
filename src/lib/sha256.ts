// SHA-256 of a whole buffer as hex. crypto.hash (Node >= 20.12) digests in one call without a
// Hash object: about 1.6x faster than createHash().update().digest(), and nothing to collect.
import * as crypto from 'node:crypto';

export const sha256Hex: (data: Buffer) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data).digest('hex');
