import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureConfigSchema } from './schema.js';

const digest = { mode: 'digest', redact: { json_paths: [], patterns: [] }, max_bytes: 65536 };

describe('captureConfigSchema', () => {
  it('defaults every type to digest and writes the defaults out', () => {
    assert.deepEqual(captureConfigSchema.parse(undefined), { default: digest, openai: digest });
    assert.deepEqual(captureConfigSchema.parse({}), { default: digest, openai: digest });
  });

  it('keeps prompts at digest when only the default is raised to full', () => {
    const cfg = captureConfigSchema.parse({ default: { mode: 'full' } });
    assert.equal(cfg.default.mode, 'full');
    assert.equal(cfg.openai.mode, 'digest');
    assert.equal(cfg.http, undefined);
  });

  it('fills in a partial rule', () => {
    const cfg = captureConfigSchema.parse({ http: { mode: 'full', redact: { patterns: ['\\d{16}'] } } });
    assert.deepEqual(cfg.http, { mode: 'full', redact: { json_paths: [], patterns: ['\\d{16}'] }, max_bytes: 65536 });
  });

  it('refuses unknown keys at every level, and a rule without a mode', () => {
    for (const bad of [{ s3: { mode: 'full' } }, { http: { mode: 'full', extra: 1 } }, { http: { mode: 'full', redact: { paths: [] } } }, { http: {} }, { http: { mode: 'all' } }]) {
      assert.equal(captureConfigSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });

  it('refuses a pattern that does not compile, quoting it and where it is', () => {
    const r = captureConfigSchema.safeParse({ http: { mode: 'full', redact: { patterns: ['ok', '(unclosed'] } } });
    assert.equal(r.success, false);
    const issue = r.error!.issues[0]!;
    assert.deepEqual(issue.path, ['http', 'redact', 'patterns', 1]);
    assert.match(issue.message, /pattern "\(unclosed" does not compile/);
  });

  it('refuses a JSON path outside the supported subset, saying where', () => {
    const r = captureConfigSchema.safeParse({ openai: { mode: 'full', redact: { json_paths: ['$.messages[?(@.role)]'] } } });
    assert.equal(r.success, false);
    assert.deepEqual(r.error!.issues[0]!.path, ['openai', 'redact', 'json_paths', 0]);
    assert.match(r.error!.issues[0]!.message, /JSON path "\$\.messages\[\?\(@\.role\)\]" unsupported syntax at position 10/);
  });

  it('refuses a non-positive or fractional max_bytes', () => {
    for (const max_bytes of [0, -1, 1.5]) {
      assert.equal(captureConfigSchema.safeParse({ http: { mode: 'full', max_bytes } }).success, false);
    }
  });
});
