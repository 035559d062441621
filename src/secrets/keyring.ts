// The key-encryption keys, kept in `secrets.kek_file`: one line per KEK, the first seals new data
// keys' wrapping by default and every one opens. A KEK's id is derived from the key itself
// (HMAC-SHA256 under the key of a fixed label), so stored wrapped keys name the KEK they need
// without revealing it, and a file whose key does not match its id is refused as damaged. The file
// is created owner-only (0600, in a 0700 directory) and replaced only by an atomic rename, so a
// reader never sees half a keyring. Errors name the file and the line, never a key.
import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AirlockError } from '../lib/errors.js';
import type { KekSource } from './envelope.js';

const KEK_BYTES = 32;
const HEADER = '# Airlock key-encryption keys (secrets.kek_file). Keep this file secret and backed up:\n# without it the stored secrets cannot be opened. The first key is the newest.\n';

export interface Kek {
  readonly id: string;
  readonly key: KeyObject;
}

export function kekId(raw: Buffer): string {
  return createHmac('sha256', raw).update('airlock kek id v1').digest('hex').slice(0, 16);
}

/** A fresh random KEK. */
export function generateKek(): Kek {
  const raw = randomBytes(KEK_BYTES);
  try {
    return { id: kekId(raw), key: createSecretKey(raw) };
  } finally {
    raw.fill(0);
  }
}

function invalid(path: string, why: string): AirlockError {
  return new AirlockError('config_invalid', `secrets.kek_file: ${path} ${why}`, { problems: [`secrets.kek_file: ${path} ${why}`] });
}

function parse(text: string, path: string): Kek[] {
  const keks: Kek[] = [];
  text.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const m = /^kek ([0-9a-f]{16}) ([A-Za-z0-9+/]{43}=)$/.exec(trimmed);
    const raw = m && Buffer.from(m[2]!, 'base64');
    if (!m || !raw || raw.length !== KEK_BYTES) throw invalid(path, `line ${i + 1} is not "kek <id> <base64 key>"`);
    try {
      if (kekId(raw) !== m[1]) throw invalid(path, `line ${i + 1}: the key does not match its id (damaged?)`);
      keks.push({ id: m[1]!, key: createSecretKey(raw) });
    } finally {
      raw.fill(0);
    }
  });
  if (!keks.length) throw invalid(path, 'holds no key');
  return keks;
}

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException)?.code === 'ENOENT';

/** The keyring as last read from its file; `reload()` reads it again (after a rotation elsewhere). */
export class KeyRing implements KekSource {
  private constructor(
    readonly path: string,
    private keks_: readonly Kek[],
  ) {}

  /** Reads the file; undefined when it does not exist. */
  static async read(path: string): Promise<KeyRing | undefined> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw invalid(path, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return new KeyRing(path, parse(text, path));
  }

  /**
   * Creates the file with one new KEK. Written whole to a temporary file and then linked into
   * place (link fails if the name exists), so no reader sees a half-written keyring; if another
   * process created it meanwhile, theirs is kept.
   */
  static async create(path: string): Promise<KeyRing> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const kek = generateKek();
    const tmp = tempName(path);
    try {
      await writeKeys(tmp, [kek]);
      await link(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return (await KeyRing.read(path))!;
    } finally {
      await rm(tmp, { force: true });
    }
    return new KeyRing(path, [kek]);
  }

  /** Every KEK held, newest first. */
  get keks(): readonly Kek[] {
    return this.keks_;
  }

  get ids(): readonly string[] {
    return this.keks_.map((k) => k.id);
  }

  get newest(): Kek {
    return this.keks_[0]!;
  }

  kek(id: string): KeyObject | undefined {
    return this.keks_.find((k) => k.id === id)?.key;
  }

  async reload(): Promise<void> {
    const fresh = await KeyRing.read(this.path);
    if (!fresh) throw invalid(this.path, 'is missing');
    this.keks_ = fresh.keks_;
  }

  /** Replaces the file (atomically) and this keyring with `keks`, newest first. */
  async replace(keks: readonly Kek[]): Promise<void> {
    const tmp = tempName(this.path);
    try {
      await writeKeys(tmp, keks);
      await rename(tmp, this.path);
    } finally {
      await rm(tmp, { force: true });
    }
    this.keks_ = [...keks];
  }
}

const tempName = (path: string) => `${path}.${randomBytes(6).toString('hex')}.tmp`;

async function writeKeys(path: string, keks: readonly Kek[]): Promise<void> {
  const lines = keks
    .map((k) => {
      const raw = k.key.export();
      try {
        return `kek ${k.id} ${raw.toString('base64')}\n`;
      } finally {
        raw.fill(0);
      }
    })
    .join('');
  const file = await open(path, 'wx', 0o600);
  try {
    await file.writeFile(HEADER + lines);
    // Durable before it is renamed over the old file: a crash must not leave an empty keyring.
    await file.sync();
  } finally {
    await file.close();
  }
}
