// `airlock audit export`: the log as JSON Lines, line i being the exact leaf data of seq i.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { withConfigOption, withStore } from './shared.js';

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
}
