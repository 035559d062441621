// Starts a real `airlock serve` process on a throwaway directory (config, policies, store, dev
// keys) for end-to-end tests, and mints development tokens for it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { ensureDevKey, signDevToken, type DevTokenOptions } from '../../src/identify/index.js';
import { tempDir } from '../../src/lib/test-temp-dir.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const AIRLOCK_BIN = path.join(REPO, 'bin/airlock.js');

/** The newest modification time of the shipped sources under `dir` (tests excluded). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(file));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

// bin/airlock.js runs the compiled dist/. `npm test` builds first; a test file run on its own after
// an edit would otherwise start yesterday's gateway, so build when a source is newer than dist/.
const built = statSync(path.join(REPO, 'dist/cli/main.js'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
if (newestSource(path.join(REPO, 'src')) > built) execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO, stdio: 'inherit' });

export interface AirlockOptions {
  /** File name → Cedar text (or any bundle file: entities.json, schema.cedarschema, tests/x.yaml). */
  readonly policies: Record<string, string>;
  readonly resources: readonly Record<string, unknown>[];
  /** Merged over the generated config's top level. */
  readonly config?: Record<string, unknown>;
  readonly env?: Record<string, string>;
  /** Reuse this directory (replicas share config, policies, dev keys and the signing key). */
  readonly dir?: string;
  /** Another checkout's `bin/airlock.js`, to compare two versions (bench/ab.ts). */
  readonly bin?: string;
}

export interface RunningAirlock {
  readonly dir: string;
  readonly configFile: string;
  readonly dataUrl: string;
  readonly adminUrl: string;
  /** The admission webhook listener, when the config has one. */
  readonly admissionUrl?: string;
  readonly proc: ChildProcess;
  stderr(): string;
  token(opts: Omit<DevTokenOptions, 'dir'>): Promise<string>;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startAirlock(opts: AirlockOptions): Promise<RunningAirlock> {
  const dir = opts.dir ?? tempDir('e2e');
  const devDir = path.join(dir, 'dev');
  await ensureDevKey(devDir);
  for (const [name, text] of Object.entries(opts.policies)) {
    await mkdir(path.dirname(path.join(dir, 'policies', name)), { recursive: true });
    await writeFile(path.join(dir, 'policies', name), text);
  }
  const config = {
    listen: '127.0.0.1:0',
    admin: { listen: '127.0.0.1:0' },
    store: 'sqlite:./data/airlock.db',
    identity: { oidc: [{ issuer: 'https://dev.airlock.local', audience: 'airlock', jwks_file: './dev/jwks.json' }] },
    policy: { dir: './policies' },
    audit: { signing_key_file: './data/audit.key', origin: 'test.airlock.local/audit' },
    resources: opts.resources,
    ...opts.config,
  };
  const configFile = path.join(dir, 'airlock.yaml');
  await writeFile(configFile, stringify(config));
  const proc = spawn(process.execPath, [opts.bin ?? AIRLOCK_BIN, 'serve', '--config', configFile], {
    cwd: dir,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const urls = await new Promise<{ data: string; admin: string; admission?: string }>((resolve, reject) => {
    // Generous: a loaded CI machine can take long to start several processes. A process that did
    // not start in time is stopped, so a failed test leaves nothing running.
    const timer = setTimeout(() => {
      proc.kill('SIGTERM');
      reject(new Error(`airlock did not start:\n${stderr}`));
    }, 60_000);
    proc.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /"data":"([^"]+)","admin":"([^"]+)"(?:,"admission":"([^"]+)")?/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve({ data: m[1]!, admin: m[2]!, ...(m[3] ? { admission: m[3] } : {}) });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`airlock exited with ${code}:\n${stderr}`));
    });
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    dir,
    configFile,
    dataUrl: urls.data,
    adminUrl: urls.admin,
    ...(urls.admission ? { admissionUrl: urls.admission } : {}),
    proc,
    stderr: () => stderr,
    token: (t) => signDevToken({ ...t, dir: devDir }),
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Runs the CLI to completion. */
export function runCli(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const proc = spawn(process.execPath, [AIRLOCK_BIN, ...args], { cwd: opts.cwd ?? REPO, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
