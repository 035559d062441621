import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSecretKeyName, redactSecrets, redactSecretsDetailed } from './secret-patterns.js';

const b64 = (n: number): string => 'aB3dE5fG7hJ9kL1mN2pQ4rS6tU8vW0xYz_-'.repeat(10).slice(0, n);

const SHAPES: Record<string, string> = {
  'openai-key': `sk-${b64(48)}`,
  'openai-project-key': `sk-proj-${b64(120)}`,
  'anthropic-key': `sk-ant-api03-${b64(90)}`,
  'airlock-key': `alk_${b64(43)}`,
  'aws-access-key-id': 'AKIAIOSFODNN7EXAMPLE',
  'aws-session-key-id': 'ASIAY34FZKBOKMUTVV7A',
  'github-token': `ghp_${'A1b2C3d4'.repeat(5).slice(0, 36)}`,
  'github-fine-grained': `github_pat_11ABCDEFG0_${b64(20).replace(/-/g, 'x')}`,
  'slack-token': 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp',
  'google-api-key': `AIza${b64(35)}`,
  jwt: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLWJ5dGVz',
};

describe('redactSecrets', () => {
  for (const [shape, secret] of Object.entries(SHAPES)) {
    it(`redacts a ${shape} standing alone, inside prose and inside JSON text`, () => {
      for (const text of [secret, `use ${secret} today`, `{"k":"${secret}"}`, `key=${secret}&x=1`]) {
        const out = redactSecrets(text);
        assert.ok(!out.includes(secret), out);
        assert.ok(out.includes('[redacted]'), out);
      }
    });
  }

  it('redacts a Bearer token but keeps the scheme, so the record still says what kind it was', () => {
    assert.equal(redactSecrets('got Bearer abc.DEF-123_xyz~+/= ok'), 'got Bearer [redacted] ok');
  });

  it('redacts a PEM private key block whole, and an unterminated one to the end', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----';
    assert.equal(redactSecrets(`before\n${pem}\nafter`), 'before\n[redacted]\nafter');
    assert.equal(redactSecrets('x -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg'), 'x [redacted]');
  });

  it('redacts credentials assigned by name in free text: forms, headers, JSON-in-a-string', () => {
    assert.equal(redactSecrets('user=bob&password=hunter2&next=%2F'), 'user=bob&password=[redacted]&next=%2F');
    assert.equal(redactSecrets('Authorization: Basic dXNlcjpwYXNz'), 'Authorization: [redacted]');
    assert.equal(redactSecrets('{"client_secret": "s3 cr3t", "n": 1}'), '{"client_secret": "[redacted]", "n": 1}');
    assert.equal(redactSecrets('X-Api-Key: plainvalue'), 'X-Api-Key: [redacted]');
    assert.equal(redactSecrets('postgres://app:pa55word@db:5432/x'), 'postgres://app:[redacted]@db:5432/x');
  });

  it('leaves ordinary text alone', () => {
    for (const text of [
      'a task-management-system-overview for the team',
      '{"max_tokens": 256, "prompt_tokens": 12, "model": "gpt-4o"}',
      'the bearer of bad news',
      'ask-me-anything-about-the-weather-today',
      'https://example.com/path?q=1',
    ]) {
      assert.equal(redactSecrets(text), text);
    }
  });

  it('names the rules that fired, once each', () => {
    const r = redactSecretsDetailed(`a ${SHAPES['aws-access-key-id']} b ${SHAPES['aws-session-key-id']} c ${SHAPES.jwt}`);
    assert.deepEqual(r.applied, ['aws-access-key-id', 'jwt']);
  });

  it('stays linear on crafted input, so a body cannot stall the gateway', () => {
    const n = 1_000_000;
    for (const crafted of ['eyJ'.repeat(n / 3), 'eyJa.'.repeat(n / 5), 'a.'.repeat(n / 2), 'token_'.repeat(n / 6), 'password'.repeat(n / 8), 'x://a:'.repeat(n / 6), 'sk-'.repeat(n / 3), '-----BEGIN '.repeat(n / 11)]) {
      const start = performance.now();
      redactSecrets(crafted);
      const ms = performance.now() - start;
      assert.ok(ms < 1_500, `${crafted.slice(0, 12)}... took ${Math.round(ms)} ms`);
    }
  });
});

describe('isSecretKeyName', () => {
  it('recognises credential-bearing keys in any case or word style', () => {
    for (const k of ['apiKey', 'api_key', 'API-KEY', 'x-api-key', 'openaiapikey', 'client_secret', 'SECRET', 'password', 'db_passwd', 'accessToken', 'refresh_token', 'token', 'Authorization', 'credentials', 'private_key', 'Cookie']) {
      assert.ok(isSecretKeyName(k), k);
    }
  });

  it('does not treat token counts or ordinary fields as secrets', () => {
    for (const k of ['max_tokens', 'prompt_tokens', 'tokenizer', 'model', 'user', 'messages', 'key', 'monkey']) {
      assert.ok(!isSecretKeyName(k), k);
    }
  });
});
