import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from './load.js';
import { configWarnings } from './warnings.js';

const warned = (text: string) => configWarnings(parseConfig(text, 'airlock.yaml', {}).config).map((w) => w.path);

const DEV = 'identity: { oidc: [{ issuer: "https://dev.airlock.local", audience: airlock, jwks_file: ./jwks.json }] }\n';

describe('config warnings', () => {
  it('has nothing to say about the defaults', () => {
    assert.deepEqual(warned(''), []);
  });

  it('warns about the development issuer only when a listener is reachable from elsewhere', () => {
    assert.deepEqual(warned(DEV), []);
    assert.ok(warned(`${DEV}listen: "0.0.0.0:8080"\n`).includes('identity.oidc[0].issuer'));
    assert.ok(warned(`${DEV}admin: { listen: "10.0.0.5:8081" }\n`).includes('identity.oidc[0].issuer'));
    assert.ok(warned(`${DEV.replace('local"', 'local/"')}listen: "0.0.0.0:8080"\n`).includes('identity.oidc[0].issuer'));
  });

  it('warns about plain HTTP beyond loopback unless a TLS-terminating proxy is trusted', () => {
    assert.deepEqual(warned('listen: ":8080"\nadmin: { listen: "[::]:8081" }\n'), ['listen', 'admin.listen']);
    assert.deepEqual(warned('listen: ":8080"\ntrusted_proxies: ["10.0.0.0/8"]\n'), []);
    assert.deepEqual(warned('listen: "localhost:8080"\n'), []);
  });

  it('warns about async audit and about trusting X-Forwarded-For from everyone', () => {
    assert.deepEqual(warned('audit: { mode: async }\n'), ['audit.mode']);
    assert.deepEqual(warned('trusted_proxies: ["0.0.0.0/0", "10.0.0.0/8", "::/0"]\n'), ['trusted_proxies[0]', 'trusted_proxies[2]']);
  });

  it('warns about plain http to a public host, not to local ones', () => {
    const text = `resources:
  - { name: a, type: openai, upstream: "http://api.example.com" }
  - { name: b, type: openai, upstream: "http://vllm.ml.svc:8000" }
  - { name: c, type: http, upstream: "https://api.example.com" }
  - { name: d, type: http, upstream: "http://10.1.2.3" }
approvals: { notify: [{ type: webhook, url: "http://hooks.example.org/x", secret: s }] }
telemetry: { otlp: { endpoint: "http://127.0.0.1:4318/v1/traces" } }
`;
    assert.deepEqual(warned(text), ['resources[0].upstream', 'approvals.notify[0].url']);
  });
});
