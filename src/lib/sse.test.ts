import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatSseEvent, SseParser } from './sse.js';

describe('server-sent events', () => {
  it('reads events split anywhere, with CRLF, CR or LF line ends and comments', () => {
    const text = ': hello\r\nevent: message\r\nid: 7\r\ndata: {"a":\r\ndata: 1}\r\n\r\ndata: two\r\rdata: three\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const p = new SseParser(1000);
      const events = [...p.push(Buffer.from(text.slice(0, cut))), ...p.push(Buffer.from(text.slice(cut)))];
      assert.deepEqual(events, [{ data: '{"a":\n1}', event: 'message', id: '7' }, { data: 'two' }, { data: 'three' }], `cut at ${cut}`);
    }
  });

  it('refuses an event that grows past the limit', () => {
    const p = new SseParser(64);
    assert.throws(() => p.push(`data: ${'x'.repeat(100)}`), RangeError);
  });

  it('reads back what it writes', () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.stringMatching(/^[a-z]{1,8}$/), { nil: undefined }), (data, event) => {
        const ev = { data: data.replace(/\r\n|\r/g, '\n'), ...(event ? { event } : {}) };
        assert.deepEqual(new SseParser(1e6).push(formatSseEvent(ev)), [ev]);
      }),
    );
  });
});
