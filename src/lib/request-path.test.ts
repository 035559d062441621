import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { normalizePath, splitRequestPath } from './request-path.js';

/** A path's bytes with every escape decoded (not as UTF-8: `%AA` is a byte, not text). */
const bytes = (path: string) => path.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

const refused = (path: string) => assert.ok(typeof normalizePath(path) === 'object', `${path} should be refused`);

describe('splitRequestPath', () => {
  it('splits resource, path and query', () => {
    assert.deepEqual(splitRequestPath('/llm/v1/chat/completions?x=1'), { resourceName: 'llm', path: '/v1/chat/completions', query: '?x=1' });
    assert.deepEqual(splitRequestPath('/llm'), { resourceName: 'llm', path: '/', query: '' });
    assert.equal(splitRequestPath('/'), undefined);
    assert.ok(splitRequestPath('llm/x') && 'refused' in splitRequestPath('llm/x')!);
    assert.deepEqual(splitRequestPath('/s3/a%2Fb//c', () => true), { resourceName: 's3', path: '/a%2Fb//c', query: '' }, 'a raw surface gets the path as sent');
  });
});

describe('normalizePath', () => {
  it('decodes unreserved characters, upper-cases other escapes and merges slashes', () => {
    assert.equal(normalizePath('/v1/chat/%63ompletions'), '/v1/chat/completions');
    assert.equal(normalizePath('/v1//chat///completions'), '/v1/chat/completions');
    assert.equal(normalizePath('/caf%c3%a9/%7euser'), '/caf%C3%A9/~user');
    assert.equal(normalizePath('/a.b/..c/.d'), '/a.b/..c/.d');
    assert.equal(normalizePath('/plain/path'), '/plain/path');
  });

  it('refuses what it cannot normalise unambiguously', () => {
    for (const p of ['/a/../b', '/a/./b', '/a/%2e%2E/b', '/a/.%2e', '/a/..%2Fb', '/a%2fb', '/a%5Cb', '/a\\b', '/a;x=1/b', '/a%zz', '/a%4', '/a%00b', '/a%7f', '/a#frag', '/a//..//b', '/a/%252e%252e/b', '/a%252Fb', '/a%2541']) refused(p);
    assert.equal(normalizePath('/discount/10%25'), '/discount/10%25', 'a percent sign that spells no escape is kept');
  });

  it('yields a fixed point with no dot segment or encoded slash, naming the same resource as its input', () => {
    const part = fc.constantFrom('/', '//', '.', '..', '%2e', '%2E', '%2f', '%5c', 'a', 'v1', '%', '%41', '%c3%a9', '%25', '2e', '2f', '~', ';', '\\', 'x.y', '%7E');
    fc.assert(
      fc.property(fc.array(part, { maxLength: 12 }), (parts) => {
        const input = `/${parts.join('')}`;
        const out = normalizePath(input);
        if (typeof out === 'object') return;
        assert.equal(normalizePath(out), out, 'normalising again changes nothing');
        assert.ok(!/%2F|%5C/i.test(out) && !out.includes('//') && !out.includes('\\'));
        assert.ok(!out.split('/').some((s) => s === '.' || s === '..'));
        assert.equal(bytes(out), bytes(input).replace(/\/+/g, '/'));
        const twice = bytes(bytes(out));
        assert.ok(!/[\\]/.test(twice) && twice.split('/').length === out.split('/').length && !twice.split('/').some((s) => s === '.' || s === '..'), 'an upstream that decodes twice sees the same segments');
      }),
      { numRuns: 3000 },
    );
  });
});
