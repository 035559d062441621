// The `airlock` command: one file per command group, wired here.
import { Command } from 'commander';
import { registerApprovalCommands } from './approvals.js';
import { registerAttestCommands } from './attest.js';
import { registerAuditCommands } from './audit.js';
import { registerDevCommands } from './dev.js';
import { registerGateCommand } from './gate.js';
import { registerGraphCommand } from './graph.js';
import { registerGrantCommands } from './grants.js';
import { registerKeysCommands } from './keys.js';
import { registerKubernetesCommands } from './kubernetes.js';
import { registerPolicyCommands } from './policy.js';
import { registerServeCommand } from './serve.js';

const program = new Command();
program
  .name('airlock')
  .description('Identity-aware gateway for AI infrastructure: policy-as-code, approvals, tamper-evident audit')
  .enablePositionalOptions()
  .showHelpAfterError()
  .exitOverride((err) => {
    // Usage errors exit 2 (commander's default is 1), as the contract's CLI conventions expect.
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

registerServeCommand(program);
registerKeysCommands(program);
registerPolicyCommands(program);
registerAuditCommands(program);
registerApprovalCommands(program);
registerGrantCommands(program);
registerGateCommand(program);
registerAttestCommands(program);
registerGraphCommand(program);
registerKubernetesCommands(program);
registerDevCommands(program);

await program.parseAsync(process.argv);
