import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJsonPath, redactJsonPath } from './json-path.js';

const redact = (doc: unknown, path: string) => redactJsonPath(structuredClone(doc), parseJsonPath(path));

const chat = {
  model: 'gpt-4o',
  user: 'u-1',
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: 'hello', name: 'ann' },
  ],
  tools: [{ function: { name: 'f', api_key: 'k1', nested: { api_key: 'k2' } } }],
};

describe('parseJsonPath', () => {
  it('parses members, indexes, wildcards, quoted members and recursive descent', () => {
    assert.deepEqual(parseJsonPath("$.messages[*].content['a b'][\"c\"][2].*..api_key"), [
      { kind: 'member', name: 'messages' },
      { kind: 'wildcard' },
      { kind: 'member', name: 'content' },
      { kind: 'member', name: 'a b' },
      { kind: 'member', name: 'c' },
      { kind: 'index', index: 2 },
      { kind: 'wildcard' },
      { kind: 'descendant', name: 'api_key' },
    ]);
    assert.deepEqual(parseJsonPath('$'), []);
  });

  it('refuses what the subset does not support, naming the position', () => {
    assert.throws(() => parseJsonPath('messages'), /must start with "\$"/);
    assert.throws(() => parseJsonPath('$.a[?(@.b)]'), /position 3/);
    assert.throws(() => parseJsonPath('$.a[1:2]'), /unsupported/);
    assert.throws(() => parseJsonPath('$..*'), /unsupported/);
    assert.throws(() => parseJsonPath('$.'), /unsupported/);
  });
});

describe('redactJsonPath', () => {
  it('redacts every message content and nothing else', () => {
    const { doc, hit } = redact(chat, '$.messages[*].content');
    assert.ok(hit);
    assert.deepEqual((doc as typeof chat).messages, [
      { role: 'system', content: '[redacted]' },
      { role: 'user', content: '[redacted]', name: 'ann' },
    ]);
    assert.equal((doc as typeof chat).model, 'gpt-4o');
  });

  it('redacts a top-level member, and an array element by index', () => {
    assert.equal((redact(chat, '$.user').doc as typeof chat).user, '[redacted]');
    const { doc } = redact(chat, '$.messages[1]');
    assert.deepEqual((doc as typeof chat).messages[1], '[redacted]');
    assert.deepEqual((doc as typeof chat).messages[0], chat.messages[0]);
  });

  it('redacts a key at any depth with recursive descent', () => {
    const doc = redact(chat, '$..api_key').doc as typeof chat;
    assert.equal(doc.tools[0]!.function.api_key, '[redacted]');
    assert.equal(doc.tools[0]!.function.nested.api_key, '[redacted]');
  });

  it('redacts a whole subtree selected by a wildcard on an object', () => {
    const doc = redact({ a: { x: 1, y: [2] }, b: 3 }, '$.a.*').doc;
    assert.deepEqual(doc, { a: { x: '[redacted]', y: '[redacted]' }, b: 3 });
  });

  it('replaces the whole document for "$"', () => {
    assert.deepEqual(redact(chat, '$'), { doc: '[redacted]', hit: true });
  });

  it('reports no hit and changes nothing when the path selects nothing', () => {
    for (const path of ['$.missing', '$.messages[9]', '$.model.x', '$.messages.content', '$..nope']) {
      assert.deepEqual(redact(chat, path), { doc: chat, hit: false }, path);
    }
  });

  it('does not treat inherited properties as members', () => {
    assert.deepEqual(redact({ a: 1 }, '$.constructor'), { doc: { a: 1 }, hit: false });
  });
});
