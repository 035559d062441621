// `airlock secrets rotate-kek`: a new KEK replaces the old ones. Ordered so that an interruption
// at any point leaves every secret readable: (1) the keyring file gains the new KEK beside the old
// ones (an atomic rename), (2) one store transaction re-wraps every data key under it and makes it
// current (values are not re-encrypted: only their data keys change wrapping), (3) only then is
// the file rewritten with the new KEK alone. Stopped before (2) commits, the old KEKs are still
// current and on file; stopped after, the new one is. A version that fails its integrity check
// rolls (2) back whole, and the file keeps the old KEKs. Values sealed outside the store with
// SecretVault.seal belong here too (re-wrapped before step 3) once something keeps them.
import { SecretBox } from './envelope.js';
import { generateKek } from './keyring.js';
import { secretContext, type SecretVault } from './vault.js';

export interface Rotation {
  /** The KEKs retired (every one the keyring held). */
  readonly from: readonly string[];
  readonly to: string;
  /** Data keys re-wrapped. */
  readonly rewrapped: number;
}

export async function rotateKek(vault: SecretVault, now = Date.now()): Promise<Rotation> {
  const { keyring, store } = vault;
  await keyring.reload();
  const previous = keyring.keks;
  const next = generateKek();
  await keyring.replace([next, ...previous]);
  const box = new SecretBox(keyring, next.id);
  const rewrapped = await store.rotateKek(next.id, (v) => box.rewrap(v, secretContext(v.name, v.version)).wrappedKey, now);
  await keyring.replace([next]);
  return { from: previous.map((k) => k.id), to: next.id, rewrapped };
}
