// `npm run agents`: the AI agents walk-through. Creates the development signing key, starts the
// approval inbox (a webhook channel receiver on :9999) and `airlock serve` on the config beside
// this file, which runs the infra MCP server as a stdio child per agent session. Ctrl-C stops both.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigOrExit } from '../../src/cli/shared.js';
import { startGateway } from '../../src/gateway/start.js';
import { ensureDevKey } from '../../src/identify/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { startInbox } from './approval-inbox.js';

const here = path.dirname(fileURLToPath(import.meta.url));
await ensureDevKey(path.resolve(here, '../../.airlock-dev'));
const inbox = await startInbox(9999);
const gateway = await startGateway(await loadConfigOrExit(path.join(here, 'airlock.yaml')), { log: createLogger('warn') });

process.stdout.write(`
Airlock for AI agents
  MCP endpoint:  ${gateway.dataUrl}/infra   (the infra server, a stdio child per session)
  control plane: ${gateway.adminUrl}
  approval inbox listening on http://127.0.0.1:9999/hook

Next: examples/agents/README.md, step 2.
`);

const stop = () => {
  void gateway.close().then(() => {
    inbox.close();
    process.exit(0);
  });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
