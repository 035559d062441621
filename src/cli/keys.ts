// `airlock keys create|list|revoke`: API keys for agents, written straight to the store. The key
// is printed once and only its hash is kept; every change is an audit record, written in the
// change's own transaction (no key exists or is revoked without one). With --s3 the key is an S3
// access key id and secret (printed as two shell lines), the secret sealed by the key in
// s3_keys.kek_file, since the gateway must recompute each request's signature.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { generateApiKey } from '../identify/index.js';
import { generateS3Key } from '../identify/s3-keys/s3-key-format.js';
import { loadOrCreateSealer } from '../identify/s3-keys/secret-sealer.js';
import { resolveFrom } from '../config/load.js';
import type { AuditEntry, S3KeyMaterial } from '../store/ports.js';
import { cliActor, parseDuration, printTable, withConfigOption, withStore } from './shared.js';

const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function changeRecord(entry: Record<string, unknown> & { kind: string }): AuditEntry {
  return { ...entry, time: new Date().toISOString(), actor: cliActor() };
}

export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('API keys for agents and services');

  withConfigOption(keys.command('create'))
    .description('create an API key for an agent and print it once')
    .requiredOption('--agent <name>', 'the agent: principal Agent::"<name>"')
    .option('--groups <list>', 'comma-separated groups', '')
    .option('--ttl <duration>', 'lifetime, e.g. 30d or 12h (default: no expiry)')
    .option('--on-behalf-of <user>', 'a delegated key: the agent acts for User::"<user>", and both are decided')
    .option('--s3', 'an S3 access key (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) for s3 resources')
    .action(async (opts: { config: string; agent: string; groups: string; ttl?: string; onBehalfOf?: string; s3?: boolean }) => {
      if (!AGENT_NAME.test(opts.agent)) {
        process.stderr.write('--agent: use letters, digits, ".", "_" or "-" (at most 128)\n');
        process.exit(2);
      }
      if (opts.onBehalfOf !== undefined && !/^[^\s\p{Cc}]{1,256}$/u.test(opts.onBehalfOf)) {
        process.stderr.write('--on-behalf-of: a user id (the sub of their tokens), without spaces\n');
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
      const s3 = opts.s3 ? generateS3Key() : undefined;
      const { key, hash } = s3 ? { key: '', hash: s3.hash } : generateApiKey();
      const id = randomUUID();
      const onBehalfOf = opts.onBehalfOf ?? null;
      await withStore(opts.config, async (store, loaded) => {
        let material: S3KeyMaterial | undefined;
        if (s3) {
          const sealer = await loadOrCreateSealer(resolveFrom(loaded, loaded.config.s3_keys.kek_file));
          material = { accessKeyId: s3.accessKeyId, sealedSecret: sealer.seal(s3.secret, s3.accessKeyId) };
        }
        const record = changeRecord({
          kind: 'key_created',
          key_id: id,
          agent: opts.agent,
          groups,
          expires_at: expiresAt && new Date(expiresAt).toISOString(),
          ...(onBehalfOf ? { on_behalf_of: onBehalfOf } : {}),
          ...(s3 ? { access_key_id: s3.accessKeyId } : {}),
        });
        await store.keys.insertKey({ id, agent: opts.agent, groups, hash, createdAt: now, expiresAt, revokedAt: null, ...(onBehalfOf ? { onBehalfOf } : {}), ...(material ? { s3: material } : {}) }, [record]);
        await store.changes.publish('keys', opts.agent);
      });
      const acting = onBehalfOf ? ` acting for User::${JSON.stringify(onBehalfOf)}` : '';
      process.stderr.write(`Created key ${id} for Agent::"${opts.agent}"${acting}. It is shown once; store it now.\n`);
      process.stdout.write(s3 ? `AWS_ACCESS_KEY_ID=${s3.accessKeyId}\nAWS_SECRET_ACCESS_KEY=${s3.secret}\n` : `${key}\n`);
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
          kind: k.s3 ? `s3 ${k.s3.accessKeyId}` : 'bearer',
          created: new Date(k.createdAt).toISOString(),
          expires: k.expiresAt ? new Date(k.expiresAt).toISOString() : 'never',
          status: k.revokedAt ? 'revoked' : k.expiresAt !== null && k.expiresAt <= now ? 'expired' : 'active',
          'on behalf of': k.onBehalfOf ?? '-',
        }));
        printTable(rows, ['id', 'agent', 'kind', 'groups', 'on behalf of', 'created', 'expires', 'status']);
      });
    });

  withConfigOption(keys.command('revoke'))
    .description("revoke every key of an agent (refused on the next request)")
    .argument('<agent>', 'the agent name')
    .action(async (agent: string, opts: { config: string }) => {
      await withStore(opts.config, async (store) => {
        const n = await store.keys.revokeAgentKeys(agent, Date.now(), (count) => [changeRecord({ kind: 'key_revoked', agent, count })]);
        if (n === 0) {
          process.stderr.write(`no active key for Agent::"${agent}"\n`);
          process.exitCode = 1;
          return;
        }
        await store.changes.publish('keys', agent);
        process.stdout.write(`revoked ${n} key(s) of Agent::"${agent}"\n`);
      });
    });
}
