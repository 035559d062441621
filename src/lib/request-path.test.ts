import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { splitRequestPath } from './request-path.js';

/** The rule stated plainly: split on '/', refuse any dot segment, the first segment names the resource. */
function reference(url: string): ReturnType<typeof splitRequestPath> {
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q);
  if (!pathname.startsWith('/')) return 'bad_path';
  const segments = pathname.split('/');
  if (segments.some((s) => /^(\.|%2e){1,2}$/i.test(s))) return 'bad_path';
  if (!segments[1]) return undefined;
  return { resourceName: segments[1], path: `/${segments.slice(2).join('/')}`, query };
}

describe('splitRequestPath', () => {
  it('splits resource, path and query', () => {
    assert.deepEqual(splitRequestPath('/llm/v1/chat/completions?x=1'), { resourceName: 'llm', path: '/v1/chat/completions', query: '?x=1' });
    assert.deepEqual(splitRequestPath('/llm'), { resourceName: 'llm', path: '/', query: '' });
    assert.equal(splitRequestPath('/'), undefined);
    assert.equal(splitRequestPath('/llm/a/%2E%2e/b'), 'bad_path');
    assert.equal(splitRequestPath('/llm/./b'), 'bad_path');
    assert.deepEqual(splitRequestPath('/llm/a.b/..c'), { resourceName: 'llm', path: '/a.b/..c', query: '' });
  });

  it('agrees with the plain split-on-slash rule for any URL', () => {
    const part = fc.constantFrom('/', '.', '..', '%2e', '%2E', 'a', 'v1', '%', '?', 'x.y', '');
    fc.assert(
      fc.property(fc.array(part, { maxLength: 10 }), (parts) => {
        const url = parts.join('');
        assert.deepEqual(splitRequestPath(url), reference(url));
      }),
      { numRuns: 2000 },
    );
  });
});
