// `airlock gate`: a pipeline step asks the gateway for a decision (deploy a model, start a
// training run) and, when an approval is needed, waits for it, printing where to approve.
// Exit 0 allowed, 1 denied, expired or timed out, 2 usage error.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseEntity } from '../model/entity.js';
import { ApiError, callApi, withServerOption, type ServerOptions } from './api-client.js';
import { startWaiting } from './waiting.js';

interface GateAnswer {
  decision: 'allow' | 'approval_required';
  approval_id?: string;
  approve_url?: string;
  policies?: string[];
}

interface GateOptions extends ServerOptions {
  action: string;
  resource: string;
  context?: string;
  run?: string;
  wait: string;
  poll: string;
}

const usage = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(2);
};

async function readContext(file: string | undefined): Promise<Record<string, unknown>> {
  if (!file) return {};
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return usage(`--context: ${file} must hold a JSON object`);
    return value as Record<string, unknown>;
  } catch (err) {
    return usage(`--context: cannot read ${file} (${(err as Error).message})`);
  }
}

export function registerGateCommand(program: Command): void {
  withServerOption(program.command('gate'))
    .description('ask for a decision on a pipeline step and wait for its approval (token from AIRLOCK_TOKEN)')
    .requiredOption('--action <action>', 'e.g. model.deploy')
    .requiredOption('--resource <entity>', 'e.g. Model::"prod/fraud-v3"')
    .option('--context <file>', 'a JSON object added to the decision context')
    .option('--run <id>', 'the pipeline run this step belongs to (model.register ties the model to what the run read)')
    .option('--wait <duration>', 'how long to wait for an approval', '10m')
    .option('--poll <duration>', 'how often to ask again while waiting', '5s')
    .action(async (opts: GateOptions) => {
      if (!parseEntity(opts.resource)) usage(`--resource: "${opts.resource}" is not an entity like Model::"prod/fraud-v3"`);
      const waiting = startWaiting(opts);
      const body = { action: opts.action, resource: opts.resource, context: await readContext(opts.context), ...(opts.run ? { run_id: opts.run } : {}) };
      try {
        let answer = await callApi<GateAnswer>(opts, 'POST', '/api/v1/gate', body);
        if (answer.decision === 'approval_required') {
          process.stdout.write(`waiting for approval ${answer.approval_id}: ${answer.approve_url}\n`);
          while (answer.decision === 'approval_required') {
            if (waiting.expired()) {
              process.stderr.write(`timed out after ${opts.wait} waiting for approval ${answer.approval_id}\n`);
              process.exitCode = 1;
              return;
            }
            await waiting.pause();
            answer = await callApi<GateAnswer>(opts, 'POST', '/api/v1/gate', { ...body, approval_id: answer.approval_id });
          }
        }
        process.stdout.write(`allowed: ${opts.action} on ${opts.resource}${answer.approval_id ? ` (approval ${answer.approval_id})` : ''}\n`);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        process.stderr.write(`${err.code}: ${err.message}\n`);
        process.exitCode = err.code === 'usage' || err.code === 'bad_request' ? 2 : 1;
      }
    });
}
