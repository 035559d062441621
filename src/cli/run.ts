// `airlock run --secret ENV=NAME... -- CMD ARGS`: a pipeline step gets its credentials under
// policy. Each secret is asked of the broker (GET /api/v1/secrets/NAME); when one needs an
// approval, this waits for it like `airlock gate --wait`, printing where to approve. The values go
// only into CMD's environment: never onto a command line (ps), a file or this process's own
// environment. Exit: CMD's code (128 + signal number if a signal ended it), 1 when a secret is
// refused, not approved in time or not text, 2 on usage errors, 127 when CMD cannot be started.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Command } from 'commander';
import { isSecretName, SECRET_NAME_RULE } from '../secrets/names.js';
import { ApiError, apiAction, callApi, withServerOption, type ServerOptions } from './api-client.js';
import { startWaiting } from './waiting.js';

interface BrokerAnswer {
  readonly decision?: 'approval_required';
  readonly approval_id?: string;
  readonly approve_url?: string;
  readonly encoding?: 'utf8' | 'base64';
  readonly value?: string;
}

interface RunOptions extends ServerOptions {
  readonly secret: string[];
  readonly wait: string;
  readonly poll: string;
}

interface Wanted {
  readonly env: string;
  readonly name: string;
  approvalId?: string;
  value?: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const usage = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(2);
};

function parseSpecs(specs: readonly string[]): Wanted[] {
  if (!specs.length) usage('give at least one --secret ENV=NAME');
  const seen = new Set<string>();
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    const env = spec.slice(0, eq);
    const name = spec.slice(eq + 1);
    if (eq < 0 || !ENV_NAME.test(env)) usage(`--secret ${spec}: expected ENV=NAME with ENV an environment variable name`);
    if (!isSecretName(name)) usage(`--secret ${spec}: the secret name must be ${SECRET_NAME_RULE}`);
    if (seen.has(env)) usage(`--secret: ${env} is given twice`);
    seen.add(env);
    return { env, name };
  });
}

/** Asks the broker once: fills `value`, or `approvalId` while an approval is pending. */
async function ask(opts: ServerOptions, w: Wanted): Promise<void> {
  const answer = await callApi<BrokerAnswer>(opts, 'GET', `/api/v1/secrets/${w.name}`, undefined, w.approvalId ? { 'airlock-approval': w.approvalId } : undefined);
  if (answer.decision === 'approval_required') {
    if (!w.approvalId) process.stderr.write(`waiting for approval ${answer.approval_id} to read secret ${w.name}: ${answer.approve_url}\n`);
    w.approvalId = answer.approval_id;
    return;
  }
  if (answer.encoding !== 'utf8' || answer.value === undefined) throw new ApiError(0, 'not_text', `secret ${w.name} is not text, so it cannot be passed in an environment variable`);
  w.value = answer.value;
}

async function fetchAll(opts: RunOptions, wanted: Wanted[]): Promise<void> {
  const waiting = startWaiting(opts);
  for (const w of wanted) await ask(opts, w);
  for (let open = wanted.filter((w) => w.value === undefined); open.length; open = open.filter((w) => w.value === undefined)) {
    if (waiting.expired()) throw new ApiError(0, 'timed_out', `timed out after ${opts.wait} waiting for approval ${open.map((w) => w.approvalId).join(', ')}`);
    await waiting.pause();
    for (const w of open) await ask(opts, w);
  }
}

/** Runs the command with the values in its environment; resolves with the exit code to pass on. */
function runChild(command: readonly string[], wanted: readonly Wanted[]): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const w of wanted) env[w.env] = w.value;
  return new Promise((resolve) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const s of signals) process.on(s, forward);
    child.once('error', (err: NodeJS.ErrnoException) => {
      process.stderr.write(`cannot run ${command[0]}: ${err.code ?? err.message}\n`);
      resolve(127);
    });
    child.once('exit', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

export function registerRunCommand(program: Command): void {
  withServerOption(program.command('run'))
    .description('fetch secrets under policy and run a command with them in its environment (token from AIRLOCK_TOKEN)')
    .option('--secret <ENV=NAME>', 'put secret NAME in the environment variable ENV (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--wait <duration>', 'how long to wait for approvals', '10m')
    .option('--poll <duration>', 'how often to ask again while waiting', '5s')
    .argument('<command...>', 'the command and its arguments, after --')
    .passThroughOptions()
    .action(
      apiAction(async (command: string[], opts: RunOptions) => {
        const wanted = parseSpecs(opts.secret);
        await fetchAll(opts, wanted);
        process.exitCode = await runChild(command, wanted);
      }),
    );
}
