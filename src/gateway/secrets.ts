// Starts the secret store of one gateway process: opens the vault (the KEK check: a wrong or
// missing kek_file stops the start with one line), loads every secret the config references (a
// missing one is a config error naming its key path, so `serve` exits 2), and gives back the config
// with those credential values live. A tampered version is an audit record, at start (which it
// stops) or later (the previous version stays in use).
import { stat } from 'node:fs/promises';
import type { AuditWriter } from '../audit/writer.js';
import { resolveFrom, type LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { AirlockError } from '../lib/errors.js';
import { formatPath } from '../lib/key-path.js';
import type { Logger } from '../lib/logger.js';
import { tamperedRecord } from '../secrets/audit-records.js';
import { bindSecrets } from '../secrets/bind-config.js';
import { SealBroken } from '../secrets/envelope.js';
import { LiveSecrets, type Unusable } from '../secrets/live-secrets.js';
import { scanSecretReferences } from '../secrets/references.js';
import { SecretVault, versionOfContext } from '../secrets/vault.js';
import type { Store } from '../store/ports.js';

export interface GatewaySecrets {
  /** The config with live credential values. */
  readonly config: Config;
  readonly vault?: SecretVault;
  readonly live?: LiveSecrets;
}

const WHY: Record<Unusable, (name: string) => string> = {
  missing: (name) => `secret "${name}" does not exist (airlock secrets put ${name})`,
  not_text: (name) => `secret "${name}" is not UTF-8 text without NUL, so it cannot stand in a config value`,
};

export async function startSecrets(loaded: LoadedConfig, store: Store, audit: AuditWriter, log: Logger): Promise<GatewaySecrets> {
  const { config } = loaded;
  if (!config.secrets) return { config };
  const kekFile = resolveFrom(loaded, config.secrets.kek_file);
  const vault = await SecretVault.open(store.secrets, kekFile);
  if (((await stat(kekFile)).mode & 0o077) !== 0) log.warn({ file: kekFile }, 'secrets.kek_file is readable by group or others; make it 0600');
  const { references } = scanSecretReferences(config);
  let started;
  try {
    started = await LiveSecrets.start(vault, references.flatMap((r) => r.names), {
      changes: store.changes,
      log,
      onTampered(name, version) {
        log.error({ secret_name: name, version }, 'a stored secret version failed its integrity check; the previous version stays in use');
        audit.enqueue(tamperedRecord(name, version, 'reference'));
      },
    });
  } catch (err) {
    const which = err instanceof SealBroken && versionOfContext(err.context);
    if (which) await audit.append(tamperedRecord(which.name, which.version, 'start'));
    throw err;
  }
  const problems = references.flatMap((r) => r.names.filter((n) => started.unusable.has(n)).map((n) => `${formatPath(r.path)}: ${WHY[started.unusable.get(n)!](n)}`));
  if (problems.length) {
    started.live.close();
    throw new AirlockError('config_invalid', problems.join('\n'), { problems });
  }
  return { config: bindSecrets(config, references, started.live), vault, live: started.live };
}
