// ListObjectsV2 filtering, against a store that pages as S3 does: a listing followed to its end
// names every key the caller may read, once, and never one it may not, whatever MaxKeys and
// however the readable keys are spread (pages of nothing but hidden keys included).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../lib/fuzz-runs.js';
import { listObjectsV2, ListTokens, type ListDeps } from './list-objects.js';
import { S3Failure } from './s3-error.js';
import { xmlBlocks, xmlEscape, xmlText, xmlUnescape } from './xml.js';

/** A store holding `keys`; its continuation tokens spell out the last key read, as some stores' do. */
function fakeStore(keys: readonly string[], calls: ReadonlyMap<string, string>[] = []) {
  const sorted = [...new Set(keys)].sort();
  return async (params: ReadonlyMap<string, string>) => {
    calls.push(params);
    const after = params.get('continuation-token') ?? params.get('start-after') ?? '';
    const max = Number(params.get('max-keys') ?? 1000);
    const rest = sorted.filter((k) => k > after);
    const page = rest.slice(0, max);
    const truncated = rest.length > page.length;
    const xml =
      `<ListBucketResult><Name>b</Name><Prefix></Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
      (truncated ? `<NextContinuationToken>${xmlEscape(page.at(-1)!)}</NextContinuationToken>` : '') +
      page.map((k) => `<Contents><Key>${xmlEscape(k)}</Key><Size>1</Size></Contents>`).join('') +
      '</ListBucketResult>';
    return { status: 200, headers: {}, body: Buffer.from(xml) };
  };
}

async function listAll(keys: readonly string[], mayRead: (k: string) => boolean, maxKeys?: number) {
  const deps: ListDeps = { fetch: fakeStore(keys), mayRead, mayList: () => true, tokens: new ListTokens('store-secret', 'data') };
  const seen: string[] = [];
  const pages: string[] = [];
  let token: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const params = new Map([['list-type', '2']]);
    if (maxKeys !== undefined) params.set('max-keys', String(maxKeys));
    if (token) params.set('continuation-token', token);
    const answer = await listObjectsV2('b', params, deps);
    assert.ok('xml' in answer);
    pages.push(answer.xml);
    const page = xmlBlocks(answer.xml, 'Contents').map((c) => xmlUnescape(xmlText(c, 'Key')!));
    assert.ok(page.length <= (maxKeys ?? 1000), 'a page holds at most MaxKeys');
    assert.equal(Number(xmlText(answer.xml, 'KeyCount')), page.length);
    seen.push(...page);
    token = xmlText(answer.xml, 'NextContinuationToken');
    if (xmlText(answer.xml, 'IsTruncated') !== 'true') break;
    assert.ok(token);
  }
  return { seen, pages };
}

describe('ListObjectsV2 filtering', () => {
  it('lists every readable key once and no other, across any paging (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom('a', 'b', '/', '<', '&', 'é') }), { maxLength: 60 }),
        fc.func(fc.boolean()),
        fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
        async (keys, readable, maxKeys) => {
          const mayRead = (k: string) => readable(k);
          const { seen, pages } = await listAll(keys, mayRead, maxKeys);
          assert.deepEqual(seen, [...keys].filter(mayRead).sort());
          for (const hidden of keys.filter((k) => !mayRead(k))) {
            for (const xml of pages) assert.ok(!xml.includes(`<Key>${xmlEscape(hidden)}</Key>`), `a hidden key was named: ${hidden}`);
          }
        },
      ),
      { numRuns: fuzzRuns(200) },
    );
  });

  it('keeps going past store pages whose every key is hidden, and asks only for the keys still missing', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    const calls: ReadonlyMap<string, string>[] = [];
    const deps: ListDeps = { fetch: fakeStore(keys, calls), mayRead: (k) => k >= 'k25', mayList: () => true, tokens: new ListTokens('s', 'data') };
    const answer = await listObjectsV2('b', new Map([['list-type', '2'], ['max-keys', '3']]), deps);
    assert.ok('xml' in answer);
    assert.deepEqual(xmlBlocks(answer.xml, 'Contents').map((c) => xmlText(c, 'Key')), ['k25', 'k26', 'k27']);
    assert.ok(calls.every((c) => Number(c.get('max-keys')) <= 3));
  });

  it('seals store tokens, which may spell out hidden keys, and refuses forged ones', async () => {
    const { pages } = await listAll(['hidden-1', 'hidden-2', 'open'], (k) => k === 'open', 1);
    for (const xml of pages) assert.ok(!xml.includes('hidden'));
    const deps: ListDeps = { fetch: fakeStore(['a']), mayRead: () => true, mayList: () => true, tokens: new ListTokens('s', 'data') };
    await assert.rejects(listObjectsV2('b', new Map([['list-type', '2'], ['continuation-token', 'hidden-1']]), deps), (e) => e instanceof S3Failure && e.s3Code === 'InvalidArgument');
    const other = new ListTokens('s', 'data').seal('a', 'other-bucket');
    await assert.rejects(listObjectsV2('b', new Map([['list-type', '2'], ['continuation-token', other]]), deps), S3Failure);
  });
});
