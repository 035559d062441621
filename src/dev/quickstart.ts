// DEVELOPMENT ONLY: the one-minute quick start behind `npm start` and `airlock dev quickstart`.
// Creates the development signing key (whose JWKS only the quick-start config trusts), stores the
// demo model server's key in the secret store the first time (the config injects it as
// `${secret:llm-upstream-key}`), starts the demo model server, and serves examples/quickstart/airlock.yaml in this process until Ctrl-C or
// SIGTERM, which drain and stop both. Paths are found from this module, so it runs the same from
// the sources, the compiled dist/ and an installed package.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigOrExit, withStore } from '../cli/shared.js';
import { resolveFrom } from '../config/load.js';
import { SecretVault } from '../secrets/vault.js';
import { startGateway } from '../gateway/start.js';
import { ensureDevKey } from '../identify/index.js';
import { createLogger } from '../lib/logger.js';
import { startDemoUpstream } from './demo-upstream.js';

/** The package root: two levels up from both src/dev and dist/dev. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEMO_PORT = 9100;

export async function runQuickstart(): Promise<void> {
  // The quick-start config's jwks_file points here (../../.airlock-dev from examples/quickstart).
  await ensureDevKey(path.join(ROOT, '.airlock-dev'));
  const configFile = path.join(ROOT, 'examples/quickstart/airlock.yaml');
  await withStore(configFile, async (store, loaded) => {
    const vault = await SecretVault.open(store.secrets, resolveFrom(loaded, loaded.config.secrets!.kek_file));
    if (!(await store.secrets.getSecret('llm-upstream-key'))) await vault.put('llm-upstream-key', Buffer.from('demo-upstream-key'));
  });
  const upstream = await startDemoUpstream(DEMO_PORT);
  const gateway = await startGateway(await loadConfigOrExit(configFile), { log: createLogger('info') });

  process.stdout.write(`
Airlock quick start
  data plane:    ${gateway.dataUrl}/llm/v1/...   (demo model server at ${upstream.url})
  control plane: ${gateway.adminUrl}

In another shell, from ${ROOT}:
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
}
