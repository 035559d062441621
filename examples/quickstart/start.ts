// `npm start`: the one-minute quick start. Creates the development signing key (whose JWKS only
// this config trusts), stores the demo model server's key in the secret store the first time (the
// config injects it as `${secret:llm-upstream-key}`), starts the demo model server, and runs
// `airlock serve` on the quick-start config in this process. Ctrl-C drains and stops both.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigOrExit, withStore } from '../../src/cli/shared.js';
import { resolveFrom } from '../../src/config/load.js';
import { startGateway } from '../../src/gateway/start.js';
import { ensureDevKey } from '../../src/identify/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { SecretVault } from '../../src/secrets/vault.js';
import { startDemoUpstream } from './demo-upstream.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
await ensureDevKey(path.join(repo, '.airlock-dev'));
const configFile = path.join(here, 'airlock.yaml');
await withStore(configFile, async (store, loaded) => {
  const vault = await SecretVault.open(store.secrets, resolveFrom(loaded, loaded.config.secrets!.kek_file));
  if (!(await store.secrets.getSecret('llm-upstream-key'))) await vault.put('llm-upstream-key', Buffer.from('demo-upstream-key'));
});
const upstream = await startDemoUpstream(9100);
const gateway = await startGateway(await loadConfigOrExit(configFile), { log: createLogger('info') });

process.stdout.write(`
Airlock quick start
  data plane:    ${gateway.dataUrl}/llm/v1/...   (demo model server at ${upstream.url})
  control plane: ${gateway.adminUrl}

In another shell, from ${repo}:
  export TOKEN=$(npx airlock dev token --sub alice --groups ml-eng)
  curl -s ${gateway.dataUrl}/llm/v1/chat/completions -H "Authorization: Bearer $TOKEN" \\
       -H 'content-type: application/json' -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
  curl -s ${gateway.dataUrl}/llm/v1/chat/completions -H "Authorization: Bearer $TOKEN" \\
       -H 'content-type: application/json' -d '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}'
  npx airlock audit export --config examples/quickstart/airlock.yaml
`);

const stop = () => {
  void gateway.close().then(() => {
    upstream.server.close();
    process.exit(0);
  });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
