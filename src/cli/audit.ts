// `airlock audit export|verify|public-key`: the log as JSON Lines (line i is the exact leaf data
// of seq i), its verification, and the key an auditor checks checkpoints with.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { loadOrCreateSigningKey, publicKeyPem } from '../audit/log/index.js';
import { resolveFrom } from '../config/load.js';
import { verifyCommand, type VerifyOptions } from './audit-verify.js';
import { loadConfigOrExit, withConfigOption, withStore } from './shared.js';

const PAGE = 5000;

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit log');

  withConfigOption(audit.command('export'))
    .description('write the audit records as JSON Lines')
    .option('--out <path>', 'output file (default: stdout)')
    .action(async (opts: { config: string; out?: string }) => {
      await withStore(opts.config, async (store) => {
        const out = opts.out ? createWriteStream(opts.out) : process.stdout;
        for (let after = -1; ; ) {
          const page = await store.audit.readAudit(after, PAGE);
          if (!page.length) break;
          const text = page.map((r) => `${r.line}\n`).join('');
          if (!out.write(text)) await once(out, 'drain');
          after = page[page.length - 1]!.seq;
        }
        if (opts.out) {
          (out as ReturnType<typeof createWriteStream>).end();
          await once(out, 'finish');
        }
      });
    });

  withConfigOption(audit.command('verify'))
    .description('recompute the Merkle tree and check it against the signed checkpoints')
    .option('--checkpoint <file>', 'a checkpoint saved earlier: the log must still contain that tree')
    .option('--export <file>', 'verify offline: an export from `airlock audit export`')
    .option('--public-key <file>', 'the log\'s public key (PEM, from `airlock audit public-key`); repeat it for keys retired by rotation', (file: string, all: string[] = []) => [...all, file])
    .action(async (opts: VerifyOptions) => verifyCommand(opts));

  withConfigOption(audit.command('public-key'))
    .description('print the public key that checkpoints are signed with (PEM)')
    .action(async (opts: { config: string }) => {
      const loaded = await loadConfigOrExit(opts.config);
      const key = await loadOrCreateSigningKey(resolveFrom(loaded, loaded.config.audit.signing_key_file));
      process.stdout.write(publicKeyPem(key.publicKey));
    });
}
