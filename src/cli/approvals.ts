// `airlock approvals list|show|approve|deny`: the control-plane approval API, as the caller.
import { describeRequirements, requirementsOf } from '../approvals/requirements.js';
import type { Command } from 'commander';
import type { Approval } from '../approvals/types.js';
import { apiAction, callApi, callApiPages, withServerOption, type ServerOptions } from './api-client.js';
import { printTable } from './shared.js';

function summary(a: Approval): Record<string, string> {
  const approvals = a.votes.filter((v) => v.vote === 'approve').length;
  return {
    id: a.id,
    status: a.status,
    principal: `${a.principal.type}::"${a.principal.id}"`,
    action: a.action,
    resource: a.resource,
    votes: `${approvals}/${a.quorum}`,
    expires: a.expires_at,
  };
}

function printApproval(a: Approval): void {
  const lines: [string, string][] = [
    ['id', a.id],
    ['status', a.status],
    ['principal', `${a.principal.type}::"${a.principal.id}" (groups: ${a.principal.groups.join(', ') || 'none'})`],
    ['action', a.action],
    ['resource', a.resource],
    ['request', `${a.request.method} ${a.request.path}${a.request.body_sha256 ? ` (body sha256 ${a.request.body_sha256.slice(0, 16)}…)` : ''}`],
    ['approvers', describeRequirements(requirementsOf(a))],
    ['context', JSON.stringify(a.context)],
    ['created', a.created_at],
    ['expires', a.expires_at],
  ];
  if (a.reason) lines.push(['reason', a.reason]);
  for (const v of a.votes) lines.push(['vote', `${v.vote} by ${v.approver.type}::"${v.approver.id}" at ${v.time}${v.reason ? `: ${v.reason}` : ''}`]);
  const width = Math.max(...lines.map(([k]) => k.length));
  for (const [k, v] of lines) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
}

export function registerApprovalCommands(program: Command): void {
  const approvals = program.command('approvals').description('review and vote on pending approvals (token from AIRLOCK_TOKEN)');

  withServerOption(approvals.command('list'))
    .option('--status <status>', 'pending | approved | denied | expired | used | all', 'pending')
    .action(
      apiAction(async (opts: ServerOptions & { status: string }) => {
        const query = opts.status === 'all' ? '' : `?status=${encodeURIComponent(opts.status)}`;
        const list = await callApiPages<Approval>(opts, `/api/v1/approvals${query}`);
        printTable(list.map(summary), ['id', 'status', 'principal', 'action', 'resource', 'votes', 'expires']);
      }),
    );

  withServerOption(approvals.command('show'))
    .argument('<id>')
    .action(apiAction(async (id: string, opts: ServerOptions) => printApproval(await callApi<Approval>(opts, 'GET', `/api/v1/approvals/${encodeURIComponent(id)}`))));

  for (const verb of ['approve', 'deny'] as const) {
    withServerOption(approvals.command(verb))
      .argument('<id>')
      .option('--reason <text>', 'why', '')
      .action(
        apiAction(async (id: string, opts: ServerOptions & { reason: string }) => {
          const a = await callApi<Approval>(opts, 'POST', `/api/v1/approvals/${encodeURIComponent(id)}/${verb}`, { reason: opts.reason });
          process.stdout.write(`${verb === 'approve' ? 'approved' : 'denied'}: approval ${a.id} is now ${a.status}\n`);
        }),
      );
  }
}
