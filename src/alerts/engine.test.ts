import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../approvals/channels/index.js';
import { createLogger } from '../lib/logger.js';
import { AlertEngine } from './engine.js';
import { alertsSchema } from './schema.js';
import { waitFor } from '../lib/test-wait.js';

const rules = alertsSchema.parse([
  { name: 'denials', type: 'denial_rate', threshold: 0.5, min_requests: 4, window_seconds: 60 },
  { name: 'pii', type: 'first_sensitive_access' },
  { name: 'night-admin', type: 'off_hours_admin', business_hours: { start: 8, end: 18 } },
  { name: 'chatty', type: 'agent_tool_rate', threshold: 3, window_seconds: 60 },
  { name: 'tools', type: 'tool_definition_change' },
]);

function engine(liveAfter = -1) {
  const sent: Alert[] = [];
  const records: Record<string, unknown>[] = [];
  const claimed = new Set<string>();
  const e = new AlertEngine(rules, {
    claim: async (id) => !claimed.has(id) && (claimed.add(id), true),
    notify: (a) => sent.push(a),
    record: (r) => records.push(r),
    log: createLogger('silent'),
    liveAfter,
  });
  return { e, sent, records };
}

const at = (min: number, hour = 12) => new Date(Date.UTC(2030, 0, 2, hour, min)).toISOString(); // a Wednesday
const alice = { type: 'User', id: 'alice' };
const bot = { type: 'Agent', id: 'bot' };

describe('alert rules', () => {
  it('fire once per window for what they are about, and again in the next window', async () => {
    const { e, sent, records } = engine();
    let seq = 0;
    const feed = (r: Record<string, unknown>) => e.observe(r, seq++);
    for (let i = 0; i < 6; i++) feed({ kind: 'decision', time: at(0), decision: i % 3 ? 'denied' : 'allow', principal: alice });
    for (let i = 0; i < 5; i++) feed({ kind: 'decision', time: at(1), action: 'tool.call', decision: 'allow', principal: bot });
    feed({ kind: 'decision', time: at(2), decision: 'allow', principal: alice, resource_attributes: { sensitivity: 'pii' } });
    feed({ kind: 'decision', time: at(3), decision: 'allow', principal: alice, resource_attributes: { sensitivity: 'pii' } });
    feed({ kind: 'decision', time: at(4, 23), decision: 'allow', principal: alice, action: 'admin.approve' });
    feed({ kind: 'decision', time: at(5, 10), decision: 'allow', principal: alice, action: 'admin.approve' });
    feed({ kind: 'tool_changed', time: at(6), tool: 'Tool::"infra/scale_deployment"', digest: 'b', previous_digest: 'a' });
    await waitFor(() => sent.length >= 5);
    assert.deepEqual(sent.map((a) => `${a.name}:${a.key}`).sort(), ['chatty:Agent::"bot"', 'denials:all', 'night-admin:User::"alice"', 'pii:User::"alice"', 'tools:Tool::"infra/scale_deployment"']);
    assert.equal(records.filter((r) => r.kind === 'alert').length, 5);
    for (let i = 0; i < 5; i++) feed({ kind: 'decision', time: at(7, 13), action: 'tool.call', decision: 'allow', principal: bot });
    await waitFor(() => sent.length === 6);
  });

  it('build state from records already in the log at start, without firing for them', async () => {
    const { e, sent } = engine(1);
    e.observe({ kind: 'decision', time: at(0), decision: 'allow', principal: alice, resource_attributes: { sensitivity: 'pii' } }, 0);
    e.observe({ kind: 'decision', time: at(1), decision: 'allow', principal: alice, resource_attributes: { sensitivity: 'pii' } }, 2);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(sent.length, 0, 'alice was already seen before the start');
  });
});
