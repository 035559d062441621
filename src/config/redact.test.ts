import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { fuzzRuns } from '../lib/fuzz-runs.js';
import { parseConfig } from './load.js';
import { MASK, redactConfig } from './redact.js';

/** A config with a secret in every place one can be set today, from the environment. */
const CONFIG = `
store: "postgres://airlock:\${S1}@db.internal:5432/airlock?sslpassword=\${S2}"
identity:
  oidc:
    - { issuer: "https://login.example.com", audience: airlock, jwks_uri: "https://login.example.com/jwks?key=\${S3}" }
approvals:
  notify:
    - { type: webhook, url: "https://hooks.example.com/airlock", secret: "\${S4}" }
    - { type: slack, url: "https://hooks.slack.com/services/T0/B0/\${S5}", signing_secret: "\${S6}", users: {} }
    - { type: teams, url: "https://example.webhook.office.com/webhookb2/\${S7}" }
audit:
  sinks:
    - { type: webhook, url: "https://siem.example.com/ingest", secret: "\${S8}" }
resources:
  - name: llm
    type: openai
    upstream: "https://api.example.com"
    inject: { headers: { Authorization: "Bearer \${S9}", X-Api-Key: "\${S10}" } }
telemetry:
  otlp: { endpoint: "https://otel.example.com/v1/traces", headers: { authorization: "\${S11}" } }
`;
const SECRETS = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'S9', 'S10', 'S11'];

const shown = (env: Record<string, string>) => stringify(redactConfig(parseConfig(CONFIG, 'airlock.yaml', env).config));

describe('config redaction', () => {
  it('never shows a secret, wherever the config sets one', () => {
    // URL-safe secrets long enough not to occur by chance in the rest of the text.
    const secret = fc.stringMatching(/^[A-Za-z0-9_-]{12,40}$/);
    fc.assert(
      fc.property(fc.array(secret, { minLength: SECRETS.length, maxLength: SECRETS.length }), (values) => {
        const env = Object.fromEntries(SECRETS.map((name, i) => [name, values[i]!]));
        const text = shown(env);
        for (const v of values) assert.ok(!text.includes(v), `secret shown: ${v}`);
      }),
      { numRuns: fuzzRuns(100) },
    );
  });

  it('keeps what is not secret readable: hosts, paths, names, numbers', () => {
    const text = shown(Object.fromEntries(SECRETS.map((s) => [s, `value-of-${s}`])));
    assert.match(text, /store: postgres:\/\/airlock:\*\*\*@db\.internal:5432\/airlock\?sslpassword=\*\*\*/);
    assert.match(text, /upstream: https:\/\/api\.example\.com\n/);
    assert.match(text, /url: https:\/\/hooks\.slack\.com\/\*\*\*/);
    assert.match(text, /Authorization: "\*\*\*"/);
    assert.match(text, /signing_key_file: \.\/data\/audit\.key/);
    assert.match(text, /max_body_bytes: 10485760/);
  });

  it('masks by key name: secrets, passwords, tokens, API and access keys, not paths or settings about them', () => {
    const out = redactConfig({
      client_secret: 'a',
      db_password: 'b',
      api_key: 'c',
      secret_access_key: 'd',
      access_key_id: 'e',
      kek_file: './kek',
      signing_key_file: './k',
      token_types: ['at+jwt'],
      previous_public_keys: ['pem'],
      max_tokens: 5,
    });
    assert.deepEqual(out, {
      client_secret: MASK,
      db_password: MASK,
      api_key: MASK,
      secret_access_key: MASK,
      access_key_id: MASK,
      kek_file: './kek',
      signing_key_file: './k',
      token_types: ['at+jwt'],
      previous_public_keys: ['pem'],
      max_tokens: 5,
    });
  });
});
