// `airlock serve`: run the gateway until SIGTERM/SIGINT, then drain and exit 0. With several
// workers this process supervises them (gateway/workers.ts) and each worker runs serveOne.
import type { Command } from 'commander';
import cluster from 'node:cluster';
import type { LoadedConfig } from '../config/load.js';
import { startGateway } from '../gateway/start.js';
import { isLeader, superviseWorkers, workerCount, type ReadyMessage, type WorkersSetting } from '../gateway/workers.js';
import { AirlockError, errorMessage } from '../lib/errors.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { loadConfigOrExit, withConfigOption } from './shared.js';

export function registerServeCommand(program: Command): void {
  withConfigOption(program.command('serve').description('start the gateway'))
    .option('--workers <n>', 'gateway processes sharing the ports: a number or "auto" (default: `workers` in the config, else 1)')
    .action(async (opts: { config: string; workers?: string }) => {
      const log = createLogger(process.env.AIRLOCK_LOG_LEVEL ?? 'info');
      const loaded = await loadConfigOrExit(opts.config);
      const count = workerCount(opts.workers === undefined ? loaded.config.workers : parseWorkers(opts.workers));
      if (count > 1 && cluster.isPrimary) process.exit(await superviseWorkers(count, log));
      await serveOne(loaded, log);
    });
}

async function serveOne(loaded: LoadedConfig, log: Logger): Promise<void> {
  let gateway;
  try {
    gateway = await startGateway(loaded, { log, leader: isLeader() });
  } catch (err) {
    if (err instanceof AirlockError && (err.code === 'policy_invalid' || err.code === 'config_invalid')) {
      for (const p of (err.details.problems as string[] | undefined) ?? [err.message]) process.stderr.write(`${p}\n`);
      process.exit(2);
    }
    log.fatal({ err: errorMessage(err) }, 'could not start');
    process.exit(1);
  }
  if (cluster.isWorker) process.send?.({ type: 'airlock-ready', data: gateway.dataUrl, admin: gateway.adminUrl } satisfies ReadyMessage);
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
}

function parseWorkers(text: string): WorkersSetting {
  if (text === 'auto') return 'auto';
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    process.stderr.write(`--workers: must be a number from 1 to 64 or "auto"\n`);
    process.exit(2);
  }
  return n;
}
