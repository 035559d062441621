import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCedarError, lineCol } from './source-location.js';

describe('lineCol', () => {
  it('turns a byte offset into a 1-based line and character column', () => {
    assert.deepEqual(lineCol('ab\ncd', 0), { line: 1, col: 1 });
    assert.deepEqual(lineCol('ab\ncd', 4), { line: 2, col: 2 });
  });

  it('counts multi-byte characters once', () => {
    const text = '// é€\nx';
    assert.deepEqual(lineCol(text, Buffer.byteLength('// é€')), { line: 1, col: 6 });
    assert.deepEqual(lineCol(text, Buffer.byteLength('// é€\n')), { line: 2, col: 1 });
  });
});

describe('formatCedarError', () => {
  it('names file, position, message, label and help', () => {
    const err = { message: 'bad', help: 'try this', code: null, url: null, severity: null, sourceLocations: [{ start: 3, end: 4, label: 'here' }] };
    assert.equal(formatCedarError('p/a.cedar', 'ab\ncd', err), 'p/a.cedar:2:1: bad (here) (help: try this)');
    assert.equal(formatCedarError('p/a.cedar', 'ab', { ...err, sourceLocations: [], help: null }), 'p/a.cedar: bad');
  });
});
