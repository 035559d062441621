// `airlock dev ...`: DEVELOPMENT ONLY. Mints tokens from a local issuer so the gateway can be
// tried without an identity provider. The key lives in a local directory; anyone who can read
// it can become anyone, so a production config must never list DEV_ISSUER.

import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_DEV_DIR, DEV_ISSUER, devJwks, signDevToken } from '../identify/dev-keys.js';
import { parseDuration } from './shared.js';

/** `--ttl` in seconds, through the CLI's one duration parser. */
export function parseTtl(text: string): number {
  try {
    return Math.max(1, Math.round(parseDuration(text) / 1000));
  } catch {
    throw new InvalidArgumentError('expected a duration such as 90s, 15m, 1h or 7d');
  }
}

const parseList = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

const warn = () => process.stderr.write(`airlock dev: development identity (${DEV_ISSUER}); never trust it in production\n`);

export function registerDevCommands(program: Command): void {
  const dev = program
    .command('dev')
    .description('DEVELOPMENT ONLY: a local token issuer for trying Airlock without an identity provider');

  dev
    .command('token')
    .description('print a JWT signed by the local development key')
    .requiredOption('--sub <subject>', 'the user id (principal User::"<sub>")')
    .option('--groups <list>', 'comma-separated groups', parseList, [] as string[])
    .option('--mfa', 'claim multi-factor authentication (amr ["mfa"], auth_time now)', false)
    .addOption(new Option('--ttl <duration>', 'lifetime, e.g. 15m, 1h, 7d').argParser(parseTtl).default(3600, '1h'))
    .option('--act <agent>', 'RFC 8693 act claim: the agent acting for the user (principal Agent::"<agent>")')
    .option('--dir <dir>', 'where the development key is kept', DEFAULT_DEV_DIR)
    .action(async (opts: { sub: string; groups: string[]; mfa: boolean; ttl: number; dir: string; act?: string }) => {
      warn();
      const token = await signDevToken({
        sub: opts.sub,
        groups: opts.groups,
        mfa: opts.mfa,
        ttlSeconds: opts.ttl,
        dir: opts.dir,
        ...(opts.act ? { act: opts.act } : {}),
      });
      process.stdout.write(token + '\n');
    });

  dev
    .command('quickstart')
    .description('run the quick start: a demo model server and the gateway on examples/quickstart/ (npm start)')
    .action(async () => {
      warn();
      const { runQuickstart } = await import('../dev/quickstart.js');
      await runQuickstart();
    });

  dev
    .command('jwks')
    .description("write the development key's public JWKS (for a config's identity.oidc[].jwks_file)")
    .option('--dir <dir>', 'where the development key is kept', DEFAULT_DEV_DIR)
    .option('--out <file>', 'write to this file instead of stdout (<dir>/jwks.json is always written)')
    .action(async (opts: { dir: string; out?: string }) => {
      warn();
      const text = JSON.stringify(await devJwks(opts.dir), null, 2) + '\n';
      if (opts.out) await writeFile(opts.out, text);
      else process.stdout.write(text);
    });
}
