// Makes the config's credential values that reference secrets live: each becomes a read-only
// accessor that renders the current values whenever it is read. Everything that reads a credential
// at use (a webhook signature per delivery, a Slack signature check per click, telemetry headers
// per batch, an S3 re-signing) then uses the newest version with no code of its own; what caches a
// credential per request path (inject headers) keys its cache on LiveSecrets.generation. So a
// surface must read credentials when it uses them, never copy them once at construction.
import { deepFreeze } from '../config/load.js';
import type { LiveSecrets } from './live-secrets.js';
import type { SecretReference } from './references.js';

export function bindSecrets<T extends object>(config: T, references: readonly SecretReference[], live: LiveSecrets): T {
  const copy = structuredClone(config);
  for (const { path, template } of references) {
    const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, copy as Record<string, unknown>);
    Object.defineProperty(parent, path[path.length - 1]!, { enumerable: true, get: () => live.render(template) });
  }
  return deepFreeze(copy);
}
