// `airlock config check`: validates a config without starting anything (no listener, no store
// opened, no file created): the schema, the policy bundles it names, the JWKS files it reads.
// Problems print one line each naming the key path, exit 2, as `serve` would refuse them. A valid
// config is printed as the gateway would run it (defaults written out) with every secret masked,
// and risky settings are warned about on stderr; `--strict` makes a warning exit 1.
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { redactConfig } from '../config/redact.js';
import { configWarnings } from '../config/warnings.js';
import { resolveFrom, type LoadedConfig } from '../config/load.js';
import { AirlockError, errorMessage } from '../lib/errors.js';
import { loadConfigOrExit, withConfigOption } from './shared.js';

/** What `serve` would read from disk at start, checked the same way. */
async function startupProblems(loaded: LoadedConfig): Promise<string[]> {
  const { loadBundle } = await import('../decide/index.js');
  const { loadJwksFile } = await import('../identify/oidc/jwks-file.js');
  const { config } = loaded;
  const checks: Promise<unknown>[] = [
    loadBundle(resolveFrom(loaded, config.policy.dir)),
    ...(config.policy.shadow_dir === undefined ? [] : [loadBundle(resolveFrom(loaded, config.policy.shadow_dir))]),
    ...config.identity.oidc.flatMap((o, i) => (o.jwks_file === undefined ? [] : [loadJwksFile(o.jwks_file, loaded.baseDir, `identity.oidc[${i}].jwks_file`)])),
  ];
  const problems: string[] = [];
  for (const result of await Promise.allSettled(checks)) {
    if (result.status === 'fulfilled') continue;
    const err = result.reason;
    const listed = err instanceof AirlockError ? (err.details.problems as string[] | undefined) : undefined;
    problems.push(...(listed ?? [errorMessage(err)]));
  }
  return problems;
}

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('check a configuration without starting the gateway');

  withConfigOption(config.command('check'))
    .description('validate the config, print it with defaults and secrets masked, and warn about risky settings')
    .option('--strict', 'exit 1 when there is any warning')
    .option('--quiet', 'do not print the effective config')
    .action(async (opts: { config: string; strict?: boolean; quiet?: boolean }) => {
      const loaded = await loadConfigOrExit(opts.config);
      const problems = await startupProblems(loaded);
      if (problems.length > 0) {
        for (const p of problems) process.stderr.write(`${p}\n`);
        process.exit(2);
      }
      if (!opts.quiet) process.stdout.write(stringify(redactConfig(loaded.config)));
      const warnings = configWarnings(loaded.config);
      for (const w of warnings) process.stderr.write(`warning: ${w.path}: ${w.message}\n`);
      process.stderr.write(`ok: ${loaded.file} is valid${warnings.length ? ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'})` : ''}\n`);
      if (opts.strict && warnings.length > 0) process.exitCode = 1;
    });
}
