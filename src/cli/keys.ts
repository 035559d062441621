// `airlock keys create|list|revoke`: API keys for agents, written straight to the store. The key
// is printed once and only its hash is kept; every change is an audit record.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { generateApiKey } from '../identify/index.js';
import { parseDuration, printTable, recordChange, withConfigOption, withStore } from './shared.js';

const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('API keys for agents and services');

  withConfigOption(keys.command('create'))
    .description('create an API key for an agent and print it once')
    .requiredOption('--agent <name>', 'the agent: principal Agent::"<name>"')
    .option('--groups <list>', 'comma-separated groups', '')
    .option('--ttl <duration>', 'lifetime, e.g. 30d or 12h (default: no expiry)')
    .action(async (opts: { config: string; agent: string; groups: string; ttl?: string }) => {
      if (!AGENT_NAME.test(opts.agent)) {
        process.stderr.write('--agent: use letters, digits, ".", "_" or "-" (at most 128)\n');
        process.exit(2);
      }
      const groups = opts.groups.split(',').map((g) => g.trim()).filter(Boolean);
      const now = Date.now();
      let expiresAt: number | null = null;
      try {
        expiresAt = opts.ttl ? now + parseDuration(opts.ttl) : null;
      } catch (err) {
        process.stderr.write(`--ttl: ${(err as Error).message}\n`);
        process.exit(2);
      }
      const { key, hash } = generateApiKey();
      const id = randomUUID();
      await withStore(opts.config, async (store) => {
        await store.keys.insertKey({ id, agent: opts.agent, groups, hash, createdAt: now, expiresAt, revokedAt: null });
        await store.changes.publish('keys', opts.agent);
        await recordChange(store, { kind: 'key_created', key_id: id, agent: opts.agent, groups, expires_at: expiresAt && new Date(expiresAt).toISOString() });
      });
      process.stderr.write(`Created key ${id} for Agent::"${opts.agent}". It is shown once; store it now.\n`);
      process.stdout.write(`${key}\n`);
    });

  withConfigOption(keys.command('list'))
    .description('list API keys (never the keys themselves)')
    .action(async (opts: { config: string }) => {
      await withStore(opts.config, async (store) => {
        const now = Date.now();
        const rows = (await store.keys.listKeys()).map((k) => ({
          id: k.id,
          agent: k.agent,
          groups: k.groups.join(','),
          created: new Date(k.createdAt).toISOString(),
          expires: k.expiresAt ? new Date(k.expiresAt).toISOString() : 'never',
          status: k.revokedAt ? 'revoked' : k.expiresAt !== null && k.expiresAt <= now ? 'expired' : 'active',
        }));
        printTable(rows, ['id', 'agent', 'groups', 'created', 'expires', 'status']);
      });
    });

  withConfigOption(keys.command('revoke'))
    .description("revoke every key of an agent (refused on the next request)")
    .argument('<agent>', 'the agent name')
    .action(async (agent: string, opts: { config: string }) => {
      await withStore(opts.config, async (store) => {
        const n = await store.keys.revokeAgentKeys(agent, Date.now());
        if (n === 0) {
          process.stderr.write(`no active key for Agent::"${agent}"\n`);
          process.exitCode = 1;
          return;
        }
        await store.changes.publish('keys', agent);
        await recordChange(store, { kind: 'key_revoked', agent, count: n });
        process.stdout.write(`revoked ${n} key(s) of Agent::"${agent}"\n`);
      });
    });
}
