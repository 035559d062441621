// The secret store as the rest of Airlock uses it: names and values in, sealed versions in the
// gateway's store, the KEK keyring from `secrets.kek_file`. Opening it checks that the keyring
// holds the KEK the stored secrets are sealed under, so a wrong or missing file is one clear error
// at start and nothing is ever served undecrypted. It creates the keyring (0600) only while the
// store has no secrets: a fresh key beside existing secrets would orphan them.
//
// A value is sealed with the context `secret:<name>:<version>`, so a ciphertext moved to another
// name or version is refused as tampered. `seal` / `open` serve values kept elsewhere (an S3
// surface's issued secret keys) with contexts of the caller's own.
import { AirlockError } from '../lib/errors.js';
import type { SealedSecretVersion, SecretStore, SecretSummary } from '../store/ports.js';
import { SecretBox, type Sealed } from './envelope.js';
import { KeyRing } from './keyring.js';

export interface SecretValue {
  readonly name: string;
  readonly version: number;
  /** The plain value: the caller zeroes it (`fill(0)`) as soon as it is used. */
  readonly value: Buffer;
}

const STORE_CONTEXT = 'secret:';

export const secretContext = (name: string, version: number) => `${STORE_CONTEXT}${name}:${version}`;

/** Which stored version a context (a SealBroken's) names; undefined for contexts outside the store. */
export function versionOfContext(context: string): { name: string; version: number } | undefined {
  const m = /^secret:([^:]+):(\d+)$/.exec(context);
  return m ? { name: m[1]!, version: Number(m[2]) } : undefined;
}

function kekProblem(message: string): AirlockError {
  return new AirlockError('config_invalid', message, { problems: [message] });
}

export class SecretVault {
  private constructor(
    readonly store: SecretStore,
    readonly keyring: KeyRing,
  ) {}

  static async open(store: SecretStore, kekFile: string, now = Date.now()): Promise<SecretVault> {
    const claimed = await store.currentKek();
    let keyring = await KeyRing.read(kekFile);
    if (!keyring) {
      if (claimed) throw kekProblem(`secrets.kek_file: ${kekFile} is missing, but the stored secrets are sealed under KEK ${claimed}; restore that file (a new key cannot open them)`);
      keyring = await KeyRing.create(kekFile);
    }
    const current = await store.claimKek(keyring.newest.id, now);
    if (!keyring.kek(current)) {
      throw kekProblem(`secrets.kek_file: ${kekFile} does not hold KEK ${current}, which the stored secrets are sealed under (holds ${keyring.ids.join(', ')}); is it the right file?`);
    }
    return new SecretVault(store, keyring);
  }

  /** Stores `value` as the next version of `name`; returns the version. */
  async put(name: string, value: Buffer, now = Date.now()): Promise<number> {
    return this.withKeyring(() => this.store.putSecret(name, (version, kekId) => new SecretBox(this.keyring, kekId).seal(value, secretContext(name, version)), now));
  }

  /** The newest version (or `version`); undefined when there is none. Throws SealBroken when tampered. */
  async read(name: string, version?: number): Promise<SecretValue | undefined> {
    const sealed = await this.store.getSecret(name, version);
    return sealed && { name, version: sealed.version, value: await this.openVersion(sealed) };
  }

  /** Opens a stored version already read (a live reference refreshing several at once). */
  openVersion(sealed: SealedSecretVersion): Promise<Buffer> {
    return this.withKeyring(() => new SecretBox(this.keyring, sealed.kekId).open(sealed, secretContext(sealed.name, sealed.version)));
  }

  list(): Promise<SecretSummary[]> {
    return this.store.listSecrets();
  }

  /** Removes every version; returns how many there were. */
  delete(name: string): Promise<number> {
    return this.store.deleteSecret(name);
  }

  /** Seals a value kept outside the secret store, under the current KEK. */
  async seal(value: Buffer, context: string): Promise<Sealed> {
    assertOwnContext(context);
    const kekId = (await this.store.currentKek())!;
    return this.withKeyring(() => new SecretBox(this.keyring, kekId).seal(value, context));
  }

  /** Opens what `seal` sealed with the same context; the caller zeroes the result once used. */
  async open(sealed: Sealed, context: string): Promise<Buffer> {
    assertOwnContext(context);
    return this.withKeyring(() => new SecretBox(this.keyring, sealed.kekId).open(sealed, context));
  }

  /**
   * Runs `fn`; when it fails for want of a KEK (a rotation by another process wrote a newer
   * keyring), reads the keyring file again and runs it once more.
   */
  private async withKeyring<T>(fn: () => T | Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof AirlockError && err.code === 'config_invalid' && err.details.kek_id)) throw err;
      await this.keyring.reload();
      return fn();
    }
  }
}

function assertOwnContext(context: string): void {
  if (!context || context.startsWith(STORE_CONTEXT)) throw new AirlockError('internal', `"${STORE_CONTEXT}" contexts belong to the secret store`);
}
