// A listener's certificate, key and client CA, read from the files the config names. A file that
// cannot be read stops the start with one line naming its key, like any other config problem.
import { readFile } from 'node:fs/promises';
import { resolveFrom, type LoadedConfig } from '../config/load.js';
import { AirlockError } from '../lib/errors.js';
import type { ListenerTls } from './listen.js';

export interface TlsFiles {
  readonly cert_file: string;
  readonly key_file: string;
  readonly client_ca_file?: string;
}

export async function readTlsFiles(loaded: LoadedConfig, section: string, files: TlsFiles): Promise<ListenerTls> {
  const read = async (key: keyof TlsFiles, file: string) => {
    try {
      return await readFile(resolveFrom(loaded, file));
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new AirlockError('config_invalid', `${section}.${key}: cannot read ${file} (${why})`);
    }
  };
  const [cert, key] = await Promise.all([read('cert_file', files.cert_file), read('key_file', files.key_file)]);
  if (!files.client_ca_file) return { cert, key };
  return { cert, key, ca: await read('client_ca_file', files.client_ca_file), requestCert: true, rejectUnauthorized: true };
}
