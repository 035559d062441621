// Reads the YAML file, substitutes ${VAR} from the environment, and validates it into a read-only
// Config. Problems come back as one line each, naming the key path, for `serve` to print.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { AirlockError } from '../lib/errors.js';
import { formatPath } from '../lib/key-path.js';
import { configSchema, type Config } from './schema.js';

export interface LoadedConfig {
  readonly config: Config;
  /** The config file's directory: relative paths in the config are resolved against it. */
  readonly baseDir: string;
  readonly file: string;
}

export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new AirlockError('config_invalid', `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
      problems: [`${file}: cannot read`],
    });
  }
  return parseConfig(text, file, env);
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const problems: string[] = [];
  const substituted = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined) problems.push(`\${${name}}: environment variable is not set`);
    return value ?? '';
  });
  const doc = parseDocument(substituted);
  for (const e of doc.errors) problems.push(`${file}: ${e.message.split('\n')[0]}`);
  if (problems.length) throw invalid(problems);
  let value: unknown;
  try {
    // toJS resolves aliases: an alias without its anchor, or too many of them, fails only here.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw invalid([`${file}: ${err instanceof Error ? err.message.split('\n')[0] : 'cannot be read'}`]);
  }
  const result = configSchema.safeParse(value ?? {});
  if (!result.success) throw invalid(result.error.issues.flatMap(formatIssue));
  return { config: deepFreeze(result.data), baseDir: path.dirname(path.resolve(file)), file };
}

function invalid(problems: string[]): AirlockError {
  return new AirlockError('config_invalid', problems.join('\n'), { problems });
}

/** `resources[1].upstream: must be an http(s) URL` */
export function formatIssue(issue: z.core.$ZodIssue): string[] {
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `${formatPath([...issue.path, k])}: unknown key`);
  return [`${formatPath(issue.path) || '(top level)'}: ${issue.message}`];
}

export { formatPath };

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Resolves a path from the config against the config file's directory. */
export function resolveFrom(loaded: LoadedConfig, p: string): string {
  return path.resolve(loaded.baseDir, p);
}
