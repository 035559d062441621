import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../config/load.js';
import { AirlockError } from '../lib/errors.js';
import { renderTemplate, scanSecretReferences } from './references.js';

const yaml = (inject: string, extra = '') => `
${extra}
resources:
  - name: llm
    type: openai
    upstream: "http://127.0.0.1:9"
    inject:
      headers:
        Authorization: "${inject}"
`;

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(text, 'airlock.yaml', env);
    return [];
  } catch (err) {
    assert.ok(err instanceof AirlockError && err.code === 'config_invalid');
    return err.details.problems as string[];
  }
}

describe('${secret:NAME} references in the config', () => {
  it('are kept as written in credential values, beside ${VAR} substitution', () => {
    const { config } = parseConfig(yaml('${SCHEME} ${secret:llm-key}', 'secrets: { kek_file: ./k }'), 'airlock.yaml', { SCHEME: 'Bearer' });
    const [resource] = config.resources;
    assert.equal(resource && 'headers' in resource.inject ? resource.inject.headers.Authorization : undefined, 'Bearer ${secret:llm-key}');
    assert.deepEqual(scanSecretReferences(config).references, [
      { path: ['resources', 0, 'inject', 'headers', 'Authorization'], template: 'Bearer ${secret:llm-key}', names: ['llm-key'] },
    ]);
  });

  it('need a secrets section, named in one line', () => {
    assert.deepEqual(problems(yaml('Bearer ${secret:llm-key}')), [
      'secrets: required by the ${secret:...} references (first at resources[0].inject.headers.Authorization); add secrets: { kek_file: "./data/secrets.kek" }',
    ]);
  });

  it('are refused outside credential values, naming the key path', () => {
    const text = `secrets: {}\nresources:\n  - { name: api, type: http, upstream: "http://127.0.0.1:9", attributes: { owner: "\${secret:x}" } }\n`;
    assert.deepEqual(problems(text), [
      'resources[0].attributes.owner: ${secret:...} can only stand in credential values (resources[].inject, approvals.notify[].secret and .signing_secret, audit.sinks[].secret, telemetry.otlp.headers)',
    ]);
  });

  it('must name a secret by the safe grammar', () => {
    for (const bad of ['${secret:../x}', '${secret:}', '${secret:a b}', 'Bearer ${secret:ok} ${secret:', '${secret:x;rm}']) {
      assert.deepEqual(problems(yaml(bad, 'secrets: {}')), ['resources[0].inject.headers.Authorization: ${secret:...} must name a secret: a letter, then letters, digits, "_", "-" or "." (at most 128)'], bad);
    }
  });

  it('are allowed in notification, sink and telemetry secrets', () => {
    const text = `
secrets: {}
approvals: { notify: [{ type: webhook, url: "http://127.0.0.1:9/h", secret: "\${secret:hook}" }, { type: slack, url: "http://127.0.0.1:9/s", signing_secret: "\${secret:slack}" }] }
audit: { sinks: [{ type: webhook, url: "http://127.0.0.1:9/siem", secret: "\${secret:siem}" }] }
telemetry: { otlp: { endpoint: "http://127.0.0.1:4318", headers: { authorization: "Bearer \${secret:otlp}" } } }
`;
    const { config } = parseConfig(text, 'airlock.yaml', {});
    assert.deepEqual(scanSecretReferences(config).references.map((r) => r.names[0]), ['siem', 'hook', 'slack', 'otlp']);
  });

  it('render with the current values, literally, or not at all when one is missing', () => {
    const values: Record<string, string> = { a: 'A$&$1', b: 'B' };
    assert.equal(renderTemplate('x ${secret:a}-${secret:b}', (n) => values[n]), 'x A$&$1-B');
    assert.equal(renderTemplate('${secret:a}${secret:c}', (n) => values[n]), undefined);
    assert.equal(renderTemplate('plain', () => undefined), 'plain');
  });
});
