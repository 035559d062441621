// What several commands share: the --config option, loading it with one line per problem, and
// opening the store it names.
import type { Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { AirlockError } from '../lib/errors.js';
import { openStore, type Store } from '../store/index.js';

export const DEFAULT_CONFIG = './airlock.yaml';

export function withConfigOption(cmd: Command): Command {
  return cmd.option('--config <file>', 'configuration file', DEFAULT_CONFIG);
}

/** Loads the config or prints its problems (one line each) and exits 2. */
export async function loadConfigOrExit(file: string): Promise<LoadedConfig> {
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
  const store = await openStore(loaded.config.store, loaded.baseDir);
  try {
    return await fn(store, loaded);
  } finally {
    await store.close();
  }
}

/** Prints rows as an aligned table. */
export function printTable(rows: readonly Record<string, string>[], columns: readonly string[]): void {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(`${line(columns.map((c) => c.toUpperCase()))}\n`);
  for (const r of rows) process.stdout.write(`${line(columns.map((c) => r[c] ?? ''))}\n`);
}

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30d`, `12h`, `15m`, `45s`, `200ms` → milliseconds (a positive whole number of units). */
export function parseDuration(text: string): number {
  const m = /^(\d+)\s*(ms|s|m|h|d)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new AirlockError('bad_request', `"${text}" is not a duration like 30d, 12h, 15m, 45s or 200ms`);
  return ms;
}
