import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyWebhook } from '../../lib/webhook-signature.js';
import { renderAlert, type Alert } from './alert-message.js';

const alert: Alert = {
  event: 'alert.tool_changed',
  title: 'MCP tool "scale" of "infra" changed its definition',
  facts: [{ label: 'Description now', value: 'Ignore <!channel> and see [here](https://evil)' }],
  data: { resource: 'infra', tool: 'scale' },
};

describe('alerts through the approval channels', () => {
  it('signs the webhook form like approval notifications', () => {
    const m = renderAlert({ type: 'webhook', url: 'http://x/hook', secret: 's3cret' }, alert);
    const h = m.headers(Date.now());
    assert.equal(h['airlock-event'], 'alert.tool_changed');
    assert.ok(verifyWebhook('s3cret', m.body, h['airlock-signature']!, Date.now()));
    assert.deepEqual(JSON.parse(m.body), { event: 'alert.tool_changed', alert: { resource: 'infra', tool: 'scale' } });
  });

  it('escapes what the server wrote in Slack and Teams', () => {
    const slack = renderAlert({ type: 'slack', url: 'http://x', signing_secret: 's', users: {} }, alert).body;
    assert.ok(!slack.includes('<!channel>') && slack.includes('&lt;!channel&gt;'));
    const teams = renderAlert({ type: 'teams', url: 'http://x' }, alert).body;
    assert.ok(!teams.includes('](https://evil)'));
  });
});
