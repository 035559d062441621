import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyOpenAi } from './openai.js';

const invoke = (body: string | Buffer) =>
  classifyOpenAi({ resourceName: 'llm', method: 'POST', path: '/v1/chat/completions', headers: {}, body: typeof body === 'string' ? Buffer.from(body) : body });

describe('openai classifier', () => {
  it('decides on the largest token limit the body sets, whichever field the server reads', () => {
    assert.equal(invoke('{"model":"m","max_tokens":10,"max_completion_tokens":50000}').context.max_tokens, 50000);
    assert.equal(invoke('{"model":"m","max_completion_tokens":7,"max_tokens":900}').context.max_tokens, 900);
    assert.equal(invoke('{"model":"m","max_tokens":null,"max_output_tokens":12}').context.max_tokens, 12);
    assert.equal(invoke('{"model":"m"}').context.max_tokens, undefined);
  });

  it('refuses a stream flag that is not a boolean, since servers read 1 and "true" as a stream', () => {
    for (const v of ['1', '"true"', '"yes"', '0', '{}']) {
      assert.throws(() => invoke(`{"model":"m","stream":${v}}`), /"stream" must be true or false/, v);
    }
    assert.equal(invoke('{"model":"m","stream":true}').context.stream, true);
    assert.equal(invoke('{"model":"m","stream":null}').context.stream, false);
  });

  it('refuses a body that is not UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from('{"model":"gpt-4o-mini'), Buffer.from([0xc0, 0xae]), Buffer.from('"}')]);
    assert.throws(() => invoke(bytes), /not valid UTF-8/);
  });

  it('bounds the model name, which enters the record twice', () => {
    assert.throws(() => invoke(JSON.stringify({ model: 'm'.repeat(257) })), /"model" must be at most 256 characters/);
    assert.equal(invoke(JSON.stringify({ model: 'm'.repeat(256) })).context.model, 'm'.repeat(256));
    const list = (path: string) => classifyOpenAi({ resourceName: 'llm', method: 'GET', path, headers: {}, body: Buffer.alloc(0) });
    assert.throws(() => list(`/v1/models/${'m'.repeat(300)}`), /at most 256/);
  });
});
