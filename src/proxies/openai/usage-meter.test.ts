import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageMeter } from './usage-meter.js';

const meter = (...chunks: string[]) => {
  const m = new UsageMeter();
  for (const c of chunks) m.data(Buffer.from(c));
  return m.totalTokens();
};

describe('usage meter', () => {
  it('reads total_tokens from a JSON answer split across chunks', () => {
    assert.equal(meter('{"choices":[],"usage":{"prompt_tokens":5,"total_', 'tokens": 13}}'), 13);
  });

  it('reads the last usage of a stream', () => {
    assert.equal(meter('data: {"choices":[{"delta":{"content":"hi"}}]}\n\n', 'data: {"choices":[],"usage":{"total_tokens":42}}\n\ndata: [DONE]\n\n'), 42);
  });

  it('is not fooled by model output that quotes the key', () => {
    assert.equal(meter('{"choices":[{"message":{"content":"\\"total_tokens\\": 999999"}}]}'), 0);
  });

  it('keeps only the tail of a long answer', () => {
    const m = new UsageMeter();
    for (let i = 0; i < 1000; i++) m.data(Buffer.alloc(1024, 0x20));
    m.data(Buffer.from('{"usage":{"total_tokens":7}}'));
    assert.equal(m.totalTokens(), 7);
  });

  it('estimates an answer that reports no usage: a token per four request bytes and one per event', () => {
    const m = new UsageMeter();
    // events split anywhere, even inside the marker
    for (const c of ['data: {"choices":[{"delta":{"content":"a"}}]}\n\nda', 'ta: {"choices":[{"delta":{"content":"b"}}]}\n\n', 'data: [DONE]\n\n']) m.data(Buffer.from(c));
    assert.deepEqual(m.tokens(40), { tokens: 10 + 3, estimated: true });
    const reported = new UsageMeter();
    reported.data(Buffer.from('data: {"choices":[],"usage":{"total_tokens":42}}\n\ndata: [DONE]\n\n'));
    assert.deepEqual(reported.tokens(4000), { tokens: 42, estimated: false });
  });
});
