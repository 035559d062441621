import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { createCapture } from './capture.js';
import { captureConfigSchema } from './schema.js';

const capture = (config: unknown) => createCapture(captureConfigSchema.parse(config));
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
const OPENAI_KEY = 'sk-proj-' + 'Ab12Cd34'.repeat(6);

describe('createCapture', () => {
  it('captures nothing, not even a digest, in none mode', () => {
    const cap = capture({ default: { mode: 'none' }, openai: { mode: 'none' } });
    assert.equal(cap('openai', json({ a: 1 }), 'application/json'), undefined);
    assert.equal(cap('http', Buffer.from('x')), undefined);
  });

  it('captures nothing for an empty body, whatever the mode', () => {
    for (const mode of ['digest', 'full']) assert.equal(capture({ default: { mode } })('http', Buffer.alloc(0)), undefined);
  });

  it('captures only the SHA-256 of the raw bytes by default, prompts included', () => {
    const body = json({ messages: [{ role: 'user', content: 'secret plans' }] });
    const cap = capture({});
    assert.deepEqual(cap('openai', body, 'application/json'), { sha256: sha(body) });
    assert.deepEqual(cap('http', body), { sha256: sha(body) });
  });

  it('uses the default rule for a type without its own, including prototype names', () => {
    const cap = capture({ default: { mode: 'none' }, http: { mode: 'digest' } });
    assert.ok(cap('http', Buffer.from('x')));
    for (const type of ['s3', 'constructor', '__proto__']) assert.equal(cap(type, Buffer.from('x')), undefined, type);
  });

  it('captures JSON in full with paths, patterns and secrets redacted, and says what was redacted', () => {
    const cap = capture({
      openai: { mode: 'full', redact: { json_paths: ['$.messages[*].content', '$.missing'], patterns: ['\\b\\d{3}-\\d{2}-\\d{4}\\b'] } },
    });
    const body = json({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], user: `ssn 123-45-6789 key ${OPENAI_KEY}`, apiKey: 'plain', max_tokens: 9 });
    assert.deepEqual(cap('openai', body, 'application/json'), {
      sha256: sha(body),
      body: { model: 'gpt-4o', messages: [{ role: 'user', content: '[redacted]' }], user: 'ssn [redacted] key [redacted]', apiKey: '[redacted]', max_tokens: 9 },
      redacted: ['$.messages[*].content', 'secret:openai-key', '\\b\\d{3}-\\d{2}-\\d{4}\\b', 'secret:key-name'],
    });
  });

  it('redacts a secret used as an object key without losing sibling keys', () => {
    const key2 = 'ghp_' + 'Z9y8X7w6'.repeat(5);
    const out = capture({ default: { mode: 'full' } })('http', json({ [OPENAI_KEY]: 1, [key2]: 2, ok: 3 }));
    assert.deepEqual(out && 'body' in out && out.body, { '[redacted]': 1, '[redacted]#2': 2, ok: 3 });
  });

  it('parses a body that opens like JSON even when labelled otherwise, so path rules apply', () => {
    const cap = capture({ default: { mode: 'full', redact: { json_paths: ['$.input'] } } });
    const out = cap('http', json({ input: 'private' }), 'text/plain');
    assert.deepEqual(out && 'body' in out && out.body, { input: '[redacted]' });
  });

  it('falls back to the digest for unparseable JSON when path rules exist, text otherwise', () => {
    const body = Buffer.from('{"input": "private", "password": "p4ss" ');
    assert.deepEqual(capture({ default: { mode: 'full', redact: { json_paths: ['$.input'] } } })('http', body), { sha256: sha(body) });
    const out = capture({ default: { mode: 'full' } })('http', body, 'application/json');
    assert.deepEqual(out, { sha256: sha(body), body: '{"input": "private", "password": "[redacted]" ', redacted: ['secret:secret-assignment'] });
  });

  it('captures text with secrets redacted, then cuts it to max_bytes on a character boundary', () => {
    const cap = capture({ default: { mode: 'full', max_bytes: 16 } });
    const out = cap('http', Buffer.from(`${OPENAI_KEY} ééééééééé`), 'text/plain');
    assert.deepEqual(out && 'body' in out && { body: out.body, truncated: out.truncated }, { body: '[redacted] éé', truncated: true });
    const short = cap('http', Buffer.from('hello'), 'text/plain');
    assert.deepEqual(short, { sha256: sha(Buffer.from('hello')), body: 'hello', redacted: [] });
  });

  it('keeps an oversized JSON body as its redacted text, cut and marked truncated', () => {
    const cap = capture({ default: { mode: 'full', max_bytes: 40 } });
    const out = cap('http', json({ note: `${OPENAI_KEY} ${'x'.repeat(100)}` }), 'application/json');
    assert.ok(out && 'body' in out);
    assert.equal(out.body, '{"note":"[redacted] ' + 'x'.repeat(20));
    assert.equal(out.truncated, true);
  });

  it('falls back to the digest when a document is too deeply nested to redact', () => {
    const body = Buffer.from('['.repeat(200_000) + ']'.repeat(200_000));
    assert.deepEqual(capture({ default: { mode: 'full' } })('http', body), { sha256: sha(body) });
  });

  it('ignores a UTF-8 byte order mark before JSON', () => {
    const out = capture({ default: { mode: 'full' } })('http', Buffer.from('\uFEFF{"a":1}'));
    assert.deepEqual(out && 'body' in out && out.body, { a: 1 });
  });
});
