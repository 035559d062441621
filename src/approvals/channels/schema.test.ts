// Channel config: the three channel types parse with their defaults; typos are refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { channelSchema } from './schema.js';

describe('channelSchema', () => {
  it('parses webhook, slack and teams channels', () => {
    assert.equal(channelSchema.parse({ type: 'webhook', url: 'http://127.0.0.1:9999/hook', secret: 's' }).type, 'webhook');
    const slack = channelSchema.parse({ type: 'slack', url: 'https://hooks.slack.com/services/T/B/X', signing_secret: 'x', users: { U024BE7LH: { sub: 'bob' } } });
    assert.deepEqual(slack.type === 'slack' && slack.users, { U024BE7LH: { sub: 'bob', groups: [] } });
    assert.equal(channelSchema.parse({ type: 'teams', url: 'https://example.webhook.office.com/x' }).type, 'teams');
  });

  it('refuses unknown keys, non-http URLs, unknown types and malformed Slack user ids', () => {
    for (const bad of [
      { type: 'webhook', url: 'http://h/x', secret: 's', extra: 1 },
      { type: 'teams', url: 'ftp://h/x' },
      { type: 'email', url: 'http://h/x' },
      { type: 'webhook', url: 'http://h/x' },
      { type: 'slack', url: 'https://h/x', signing_secret: 'x', users: { bob: { sub: 'bob' } } },
    ]) assert.equal(channelSchema.safeParse(bad).success, false, JSON.stringify(bad));
  });
});
