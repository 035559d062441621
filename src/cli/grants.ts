// `airlock grants request|list|revoke`: just-in-time group membership, through the control plane.
import type { Command } from 'commander';
import type { Grant } from '../store/ports.js';
import { apiAction, callApi, callApiPages, withServerOption, type ServerOptions } from './api-client.js';
import { parseDuration, printTable } from './shared.js';

export function registerGrantCommands(program: Command): void {
  const grants = program.command('grants').description('just-in-time group membership (token from AIRLOCK_TOKEN)');

  withServerOption(grants.command('request'))
    .requiredOption('--group <group>', 'the group to join')
    .requiredOption('--duration <duration>', 'for how long once approved, e.g. 30m, 4h')
    .requiredOption('--reason <text>', 'why')
    .action(
      apiAction(async (opts: ServerOptions & { group: string; duration: string; reason: string }) => {
        const duration_seconds = Math.round(parseDuration(opts.duration) / 1000);
        const g = await callApi<Grant & { approval_id?: string }>(opts, 'POST', '/api/v1/grants', { group: opts.group, duration_seconds, reason: opts.reason });
        process.stdout.write(
          g.approval_id
            ? `grant ${g.id} waits for approval ${g.approval_id}: ${new URL(`/approvals/${g.approval_id}`, opts.server).href}\n`
            : `grant ${g.id} is active until ${g.expires_at}\n`,
        );
      }),
    );

  withServerOption(grants.command('list')).action(
    apiAction(async (opts: ServerOptions) => {
      const list = await callApiPages<Grant>(opts, '/api/v1/grants');
      printTable(
        list.map((g) => ({
          id: g.id,
          principal: `${g.principal.type}::"${g.principal.id}"`,
          group: g.group,
          status: g.status,
          expires: g.expires_at ?? '-',
          reason: g.reason,
        })),
        ['id', 'principal', 'group', 'status', 'expires', 'reason'],
      );
    }),
  );

  withServerOption(grants.command('revoke'))
    .argument('<id>')
    .action(
      apiAction(async (id: string, opts: ServerOptions) => {
        const g = await callApi<Grant>(opts, 'POST', `/api/v1/grants/${encodeURIComponent(id)}/revoke`);
        process.stdout.write(`grant ${g.id} is ${g.status}\n`);
      }),
    );
}
