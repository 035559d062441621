// What several commands share: the --config option, loading it with one line per problem, and
// opening the store it names. The config schema and the store drivers are imported when a command
// uses them, not when this module loads: commands that only print or call the control plane start
// without them.
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import { AirlockError } from '../lib/errors.js';
import type { Store } from '../store/index.js';
import type { AuditEntry } from '../store/ports.js';

export const DEFAULT_CONFIG = './airlock.yaml';

export function withConfigOption(cmd: Command): Command {
  return cmd.option('--config <file>', 'configuration file', DEFAULT_CONFIG);
}

/** Loads the config or prints its problems (one line each) and exits 2. */
export async function loadConfigOrExit(file: string): Promise<LoadedConfig> {
  const { loadConfig } = await import('../config/load.js');
  try {
    return await loadConfig(file);
  } catch (err) {
    if (err instanceof AirlockError && err.code === 'config_invalid') {
      for (const p of (err.details.problems as string[] | undefined) ?? [err.message]) process.stderr.write(`${p}\n`);
      process.exit(2);
    }
    throw err;
  }
}

export async function withStore<T>(configFile: string, fn: (store: Store, loaded: LoadedConfig) => Promise<T>): Promise<T> {
  const loaded = await loadConfigOrExit(configFile);
  const { openStore } = await import('../store/index.js');
  const store = await openStore(loaded.config.store, loaded.baseDir);
  try {
    return await fn(store, loaded);
  } finally {
    await store.close();
  }
}

/** Who acts from the command line: the OS user (the store and config are theirs to reach). */
export function cliActor(): { type: string; id: string } {
  return { type: 'cli', id: userInfo().username };
}

/** A change made from the command line, appended straight to the audit log. */
export async function recordChange(store: Store, entry: AuditEntry): Promise<void> {
  await store.audit.appendAudit([{ ...entry, time: new Date().toISOString(), actor: cliActor() }]);
}

/** Prints rows as an aligned table. */
export function printTable(rows: readonly Record<string, string>[], columns: readonly string[]): void {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(`${line(columns.map((c) => c.toUpperCase()))}\n`);
  for (const r of rows) process.stdout.write(`${line(columns.map((c) => r[c] ?? ''))}\n`);
}

export { parseDuration } from '../lib/duration.js';
