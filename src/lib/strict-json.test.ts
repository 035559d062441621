import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseJsonStrict } from './strict-json.js';

const refused = (text: string) => assert.throws(() => parseJsonStrict(text), /duplicate key/);

describe('strict JSON', () => {
  it('refuses a duplicate key at any depth', () => {
    refused('{"model":"gpt-4o","model":"gpt-4o-mini"}');
    refused('{"a":[{"b":1,"b":2}]}');
    refused('{ "x" : 1 , "x"\n:\t2 }');
    refused('{"__proto__":1,"__proto__":2}');
    refused('{"a\\"":1,"a\\"":2}');
  });

  it('accepts what has no duplicate, whatever the strings hold', () => {
    assert.deepEqual(parseJsonStrict('{"messages":[{"role":"user","content":"a\\":b"},{"role":"user","content":"\\\\"}]}'), {
      messages: [{ role: 'user', content: 'a":b' }, { role: 'user', content: '\\' }],
    });
    assert.equal(parseJsonStrict('"just a string: \\"x\\": 1"'), 'just a string: "x": 1');
  });

  it('agrees with a parser that sees duplicates, on any JSON', () => {
    // Serialise random values, sometimes with a key repeated by hand.
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), fc.string(), (value, dup, key) => {
        const text = JSON.stringify(value);
        if (!dup || typeof value !== 'object' || value === null || Array.isArray(value)) {
          assert.deepEqual(parseJsonStrict(text), JSON.parse(text));
          return;
        }
        const k = JSON.stringify(key);
        const inner = text.slice(1, -1);
        const twice = `{${k}:1,${inner ? `${inner},` : ''}${k}:2}`;
        assert.throws(() => parseJsonStrict(twice), /duplicate key/);
      }),
      { numRuns: 500 },
    );
  });
});
