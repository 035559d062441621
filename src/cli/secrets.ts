// `airlock secrets put|list|delete|rotate-kek`: the encrypted secret store, written straight to
// the store named by the config (like `keys`). A value is read from stdin, a file or an
// environment variable, never from the command line (where `ps` and shell history would show it),
// and is never printed. Every change is an audit record and a change notification, so running
// gateways use a new version from their next request.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import { resolveFrom } from '../config/load.js';
import { AirlockError } from '../lib/errors.js';
import { formatPath } from '../lib/key-path.js';
import { deletedRecord, putRecord, rotatedRecord, tamperedRecord } from '../secrets/audit-records.js';
import { SealBroken } from '../secrets/envelope.js';
import { isSecretName, SECRET_NAME_RULE } from '../secrets/names.js';
import { scanSecretReferences } from '../secrets/references.js';
import { rotateKek } from '../secrets/rotate.js';
import { SecretVault, versionOfContext } from '../secrets/vault.js';
import type { Store } from '../store/index.js';
import { printTable, recordChange, withConfigOption, withStore } from './shared.js';

const MAX_VALUE_BYTES = 1024 * 1024;

const usage = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(2);
};

/** Runs `fn` with the vault of the config's store; a missing secrets section or a bad KEK file exits 2. */
async function withVault(configFile: string, fn: (vault: SecretVault, store: Store, loaded: LoadedConfig) => Promise<void>): Promise<void> {
  await withStore(configFile, async (store, loaded) => {
    const section = loaded.config.secrets;
    if (!section) return usage(`secrets: not configured in ${configFile}; add secrets: { kek_file: "./data/secrets.kek" }`);
    let vault: SecretVault;
    try {
      vault = await SecretVault.open(store.secrets, resolveFrom(loaded, section.kek_file));
    } catch (err) {
      if (err instanceof AirlockError && err.code === 'config_invalid') return usage(err.message);
      throw err;
    }
    await fn(vault, store, loaded);
  });
}

async function readValue(opts: { fromFile?: string; fromEnv?: string }): Promise<Buffer> {
  if (opts.fromFile && opts.fromEnv) return usage('give one of --from-file or --from-env (or neither, to read stdin)');
  let value: Buffer;
  if (opts.fromFile) {
    value = await readFile(opts.fromFile).catch((err: NodeJS.ErrnoException) => usage(`--from-file: cannot read ${opts.fromFile} (${err.code ?? 'error'})`));
  } else if (opts.fromEnv) {
    const text = process.env[opts.fromEnv];
    if (text === undefined) return usage(`--from-env: ${opts.fromEnv} is not set`);
    value = Buffer.from(text, 'utf8');
  } else {
    if (process.stdin.isTTY) return usage('pipe the value on stdin, or use --from-file or --from-env (a value is never taken from the command line)');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const all = Buffer.concat(chunks);
    chunks.forEach((c) => c.fill(0));
    // `echo value | airlock secrets put` adds a newline nobody means to store.
    const cut = all.at(-1) === 0x0a ? (all.at(-2) === 0x0d ? 2 : 1) : 0;
    value = Buffer.from(all.subarray(0, all.length - cut));
    all.fill(0);
  }
  if (!value.length) return usage('the value is empty');
  if (value.length > MAX_VALUE_BYTES) return usage(`the value is larger than ${MAX_VALUE_BYTES} bytes`);
  return value;
}

function checkName(name: string): void {
  if (!isSecretName(name)) usage(`secret name: use ${SECRET_NAME_RULE}`);
}

export function registerSecretsCommands(program: Command): void {
  const secrets = program.command('secrets').description('the encrypted secret store (values are never printed)');

  withConfigOption(secrets.command('put'))
    .description('store a new version of a secret, read from stdin (one trailing newline dropped), a file (as is) or an environment variable')
    .argument('<name>', 'the secret: referenced as ${secret:NAME}, handed out as Secret::"NAME"')
    .option('--from-file <file>', 'read the value from this file, byte for byte')
    .option('--from-env <var>', 'read the value from this environment variable')
    .action(async (name: string, opts: { config: string; fromFile?: string; fromEnv?: string }) => {
      checkName(name);
      const value = await readValue(opts);
      await withVault(opts.config, async (vault, store) => {
        try {
          const version = await vault.put(name, value);
          await store.changes.publish('secrets', name);
          await recordChange(store, putRecord(name, version));
          process.stdout.write(`stored ${name} version ${version}\n`);
        } finally {
          value.fill(0);
        }
      });
    });

  withConfigOption(secrets.command('list'))
    .description('list secrets and their versions (never a value)')
    .action(async (opts: { config: string }) => {
      await withVault(opts.config, async (vault) => {
        const rows = (await vault.list()).map((s) => ({
          name: s.name,
          version: String(s.version),
          versions: String(s.versions),
          created: new Date(s.createdAt).toISOString(),
          updated: new Date(s.updatedAt).toISOString(),
        }));
        printTable(rows, ['name', 'version', 'versions', 'created', 'updated']);
      });
    });

  withConfigOption(secrets.command('delete'))
    .description('delete every version of a secret')
    .argument('<name>', 'the secret')
    .option('--force', 'delete it even though the config references it (requests needing it are then refused)')
    .action(async (name: string, opts: { config: string; force?: boolean }) => {
      checkName(name);
      await withVault(opts.config, async (vault, store, loaded) => {
        const uses = scanSecretReferences(loaded.config).references.filter((r) => r.names.includes(name));
        if (uses.length && !opts.force) {
          process.stderr.write(`secret ${name} is referenced at ${uses.map((u) => formatPath(u.path)).join(', ')}; deleting it refuses what needs it (use --force)\n`);
          process.exitCode = 1;
          return;
        }
        const n = await vault.delete(name);
        if (!n) {
          process.stderr.write(`no secret ${name}\n`);
          process.exitCode = 1;
          return;
        }
        await store.changes.publish('secrets', name);
        await recordChange(store, deletedRecord(name, n));
        process.stdout.write(`deleted ${name} (${n} version${n === 1 ? '' : 's'})\n`);
      });
    });

  withConfigOption(secrets.command('rotate-kek'))
    .description('replace the key-encryption key: every data key is re-wrapped in one transaction')
    .action(async (opts: { config: string }) => {
      await withVault(opts.config, async (vault, store) => {
        try {
          const r = await rotateKek(vault);
          await store.changes.publish('secrets', '*');
          await recordChange(store, rotatedRecord(r.from, r.to, r.rewrapped));
          process.stdout.write(`rotated the KEK ${r.from.join(', ')} -> ${r.to}; ${r.rewrapped} data key(s) re-wrapped; ${vault.keyring.path} now holds only the new KEK\n`);
        } catch (err) {
          const which = err instanceof SealBroken && versionOfContext(err.context);
          if (!which) throw err;
          await store.audit.appendAudit([tamperedRecord(which.name, which.version, 'rotation')]);
          process.stderr.write(`rotation refused, nothing changed: secret ${which.name} version ${which.version} failed its integrity check (the old KEK stays in use)\n`);
          process.exitCode = 1;
        }
      });
    });
}
