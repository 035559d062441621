// The `airlock` command: one file per command group, wired here.
//
// A group's module is imported only when that group runs. The gateway, Cedar, the store drivers
// and the config schema cost over a second of start-up together, and `airlock --help`, `dev token`
// or a control-plane call need none of them; so the root help lists the groups from the summaries
// below, and the one group named on the command line registers its real commands.
import { Command } from 'commander';
import { packageVersion } from '../lib/package-version.js';

type Register = (program: Command) => void;

interface Group {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Register>;
}

const GROUPS: readonly Group[] = [
  { name: 'serve', summary: 'start the gateway', load: async () => (await import('./serve.js')).registerServeCommand },
  { name: 'config', summary: 'check a configuration without starting', load: async () => (await import('./config.js')).registerConfigCommands },
  { name: 'keys', summary: 'API keys for agents and services', load: async () => (await import('./keys.js')).registerKeysCommands },
  { name: 'policy', summary: 'check, test, replay and shadow a policy bundle', load: async () => (await import('./policy.js')).registerPolicyCommands },
  { name: 'audit', summary: 'the tamper-evident audit log', load: async () => (await import('./audit.js')).registerAuditCommands },
  { name: 'approvals', summary: 'review and vote on pending approvals', load: async () => (await import('./approvals.js')).registerApprovalCommands },
  { name: 'grants', summary: 'just-in-time group membership', load: async () => (await import('./grants.js')).registerGrantCommands },
  { name: 'gate', summary: 'ask for a decision on a pipeline step', load: async () => (await import('./gate.js')).registerGateCommand },
  { name: 'attest', summary: 'attest that a subject passed or failed a check', load: async () => (await import('./attest.js')).registerAttestCommands },
  { name: 'graph', summary: 'the access map, or a model\'s lineage', load: async () => (await import('./graph.js')).registerGraphCommand },
  { name: 'secrets', summary: 'the encrypted secret store', load: async () => (await import('./secrets.js')).registerSecretsCommands },
  { name: 'run', summary: 'run a command with secrets fetched under policy', load: async () => (await import('./run.js')).registerRunCommand },
  { name: 'kubeconfig', summary: 'a kubeconfig that reaches a kubernetes resource through Airlock', load: async () => (await import('./kubernetes.js')).registerKubernetesCommands },
  { name: 'kubernetes', summary: 'Kubernetes resources: the admission webhook configuration', load: async () => (await import('./kubernetes.js')).registerKubernetesCommands },
  { name: 'mcp', summary: 'MCP tool pins, and the stdio bridge for local agents', load: async () => (await import('./mcp.js')).registerMcpCommands },
  { name: 'dev', summary: 'DEVELOPMENT ONLY: a local token issuer', load: async () => (await import('./dev.js')).registerDevCommands },
];

/** The group the arguments run (`airlock help <group>` included), if any. */
function chosenGroup(args: readonly string[]): Group | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return GROUPS.find((g) => g.name === name);
}

const program = new Command();
program
  .name('airlock')
  .description('Identity-aware gateway for AI infrastructure: policy-as-code, approvals, tamper-evident audit')
  .version(packageVersion())
  .enablePositionalOptions()
  .showHelpAfterError()
  .exitOverride((err) => {
    // Usage errors exit 2 (commander's default is 1), as the contract's CLI conventions expect.
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

const chosen = chosenGroup(process.argv.slice(2));
if (chosen) (await chosen.load())(program);
// One module may register several groups (kubeconfig and kubernetes), so a placeholder stands in
// only for a group the chosen module did not register.
for (const group of GROUPS) {
  if (!program.commands.some((c) => c.name() === group.name)) program.command(group.name).summary(group.summary);
}

await program.parseAsync(process.argv);
