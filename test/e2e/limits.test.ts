// End to end: the limits a gateway puts on its callers. Token budgets are policy: the upstream's
// reported usage becomes `context.tokens_today`, and a forbid caps it. Anonymous floods are
// answered 429 and counted, not recorded one by one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startDemoUpstream } from '../../examples/quickstart/demo-upstream.js';
import { runCli, startAirlock, type RunningAirlock } from '../support/airlock-process.js';

const POLICIES = {
  'models.cedar': `
@id("eng") permit (principal in Group::"ml-eng", action == Action::"model.invoke", resource in Resource::"llm");
@id("daily-budget") forbid (principal, action == Action::"model.invoke", resource in Resource::"llm") when { context.tokens_today >= 30 };
`,
};

let airlock: RunningAirlock;
let upstream: Awaited<ReturnType<typeof startDemoUpstream>>;

before(async () => {
  upstream = await startDemoUpstream(0);
  airlock = await startAirlock({
    policies: POLICIES,
    resources: [{ name: 'llm', type: 'openai', upstream: upstream.url }],
    config: { limits: { rate: { anonymous: { per_second: 1, burst: 5 }, anonymous_records_per_minute: 3 } } },
  });
});
after(async () => {
  await airlock?.stop();
  upstream?.server.close();
});

describe('limits', () => {
  it('refuses model calls once the principal has used its daily tokens, counted from the answers', async () => {
    const client = new OpenAI({ apiKey: await airlock.token({ sub: 'alice', groups: ['ml-eng'] }), baseURL: `${airlock.dataUrl}/llm/v1`, maxRetries: 0 });
    const ask = () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    for (let i = 0; i < 3; i++) assert.equal((await ask()).usage?.total_tokens, 13); // 0, 13, 26 used before each
    await assert.rejects(ask(), (err: InstanceType<typeof OpenAI.APIError>) => err.status === 403 && /daily-budget|denied/.test(err.message));
    const bob = new OpenAI({ apiKey: await airlock.token({ sub: 'bob', groups: ['ml-eng'] }), baseURL: `${airlock.dataUrl}/llm/v1`, maxRetries: 0 });
    assert.ok(await bob.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }), 'another principal has its own budget');
  });

  it('counts a streamed answer that reports no usage by an estimate, so streaming does not dodge the budget', async () => {
    const client = new OpenAI({ apiKey: await airlock.token({ sub: 'carl', groups: ['ml-eng'] }), baseURL: `${airlock.dataUrl}/llm/v1`, maxRetries: 0 });
    const stream = async () => {
      let text = '';
      for await (const part of await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true })) {
        text += part.choices[0]?.delta.content ?? '';
      }
      return text;
    };
    // The demo server streams without usage (no stream_options.include_usage), as the openai client asks by default.
    let refused: unknown;
    for (let i = 0; i < 5 && !refused; i++) await stream().catch((err: unknown) => (refused = err));
    assert.ok(refused instanceof OpenAI.APIError && refused.status === 403, 'the budget applies to streams too');
  });

  it('answers an anonymous flood with 429 and records it as counts, not a record per request', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await fetch(`${airlock.dataUrl}/llm/v1/models`, { headers: { authorization: 'Bearer forged' } })).status);
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.equal(statuses.at(-1), 429);
    assert.equal(await airlock.stop(), 0);
    const lines = (await runCli(['audit', 'export', '--config', airlock.configFile])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const anonymous = lines.filter((r) => r.kind === 'decision' && r.principal === null);
    const counted = lines.filter((r) => r.kind === 'refusals_aggregated');
    assert.equal(anonymous.length, 3);
    assert.equal(counted.length, 1);
    assert.equal(counted[0]!.count, 9);
    const outcomes = lines.filter((r) => r.kind === 'outcome' && r.tokens === 13);
    assert.ok(outcomes.length >= 4, 'outcome records carry the tokens used');
    assert.ok(lines.some((r) => r.kind === 'outcome' && (r.tokens as number) > 0 && r.tokens_estimated === true), 'an estimate says so');
  });
});
