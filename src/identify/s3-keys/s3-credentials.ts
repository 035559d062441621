// Identify stage, S3 credentials: an access key id to the principal it stands for and the secret
// its signatures are checked with. Keys come from the same live map as bearer keys (LiveKeys), so a
// revocation by any process is felt here within a second; a key created a moment ago is found by
// re-reading the store on a miss. The secret is opened only when a signing key is derived.
import { LiveKeys } from '../api-keys/live-keys.js';
import { agentPrincipal } from '../api-keys/verify-key.js';
import type { Principal } from '../../model/principal.js';
import type { ChangeFeed, KeyStore } from '../../store/ports.js';
import type { SecretSealer } from './secret-sealer.js';
import { AirlockError } from '../../lib/errors.js';

/** An Airlock-issued S3 credential: who it is, and its secret (opened only to derive a signing key). */
export interface S3Credential {
  readonly principal: Principal;
  /** Names the secret without being it (its sealed form), for caches. */
  readonly secretId: string;
  readonly secret: () => string;
}

export class S3Credentials {
  private readonly keys: LiveKeys;
  /** The first load (never rejects): until it is over the map is empty, not stale. */
  private readonly started: Promise<void>;
  private readonly unsubscribe: () => void;

  constructor(
    store: { readonly keys: KeyStore; readonly changes: ChangeFeed },
    private readonly sealer: SecretSealer,
    opts: { readonly pollMs?: number; readonly now?: () => number } = {},
  ) {
    this.keys = new LiveKeys(store.keys, opts);
    this.started = this.keys.start();
    this.unsubscribe = store.changes.subscribe((topic) => topic === 'keys' && void this.keys.refresh().catch(() => undefined));
  }

  async lookup(accessKeyId: string): Promise<S3Credential | undefined> {
    await this.started;
    // As for bearer keys (verify-key.ts): a key map too old to know of revocations is no answer.
    if (this.keys.stale()) throw new AirlockError('store_unavailable', 'S3 keys cannot be checked: the key store is unreachable; retry later');
    let record = this.keys.lookupS3(accessKeyId);
    if (!record) {
      await this.keys.refreshOnMiss();
      record = this.keys.lookupS3(accessKeyId);
    }
    if (!record?.s3) return undefined;
    const { sealedSecret } = record.s3;
    return { principal: agentPrincipal(record), secretId: sealedSecret, secret: () => this.sealer.open(sealedSecret, accessKeyId) };
  }

  close(): void {
    this.unsubscribe();
    this.keys.close();
  }
}
