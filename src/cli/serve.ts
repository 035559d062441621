// `airlock serve`: run the gateway until SIGTERM/SIGINT, then drain and exit 0.
import type { Command } from 'commander';
import { startGateway } from '../gateway/start.js';
import { AirlockError, errorMessage } from '../lib/errors.js';
import { createLogger } from '../lib/logger.js';
import { loadConfigOrExit, withConfigOption } from './shared.js';

export function registerServeCommand(program: Command): void {
  withConfigOption(program.command('serve').description('start the gateway')).action(async (opts: { config: string }) => {
    const log = createLogger(process.env.AIRLOCK_LOG_LEVEL ?? 'info');
    const loaded = await loadConfigOrExit(opts.config);
    let gateway;
    try {
      gateway = await startGateway(loaded, { log });
    } catch (err) {
      if (err instanceof AirlockError && (err.code === 'policy_invalid' || err.code === 'config_invalid')) {
        for (const p of (err.details.problems as string[] | undefined) ?? [err.message]) process.stderr.write(`${p}\n`);
        process.exit(2);
      }
      log.fatal({ err: errorMessage(err) }, 'could not start');
      process.exit(1);
    }
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'draining');
      gateway
        .close()
        .then(() => {
          log.info('stopped');
          process.exit(0);
        })
        .catch((err: unknown) => {
          log.error({ err: errorMessage(err) }, 'unclean shutdown');
          process.exit(1);
        });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGHUP', () => void gateway.reloadPolicy());
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
