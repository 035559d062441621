// End to end: an alert rule fires on live traffic, once per window, through the webhook channel
// (signed like approval notifications), and is on the record.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../../src/lib/test-wait.js';
import { runCli, startAirlock, type RunningAirlock } from '../support/airlock-process.js';

let airlock: RunningAirlock;
let hook: Server;
const received: { headers: Record<string, unknown>; body: { event: string; alert?: { name: string; key: string } } }[] = [];

before(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(body) as never });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  airlock = await startAirlock({
    policies: { 'p.cedar': `permit (principal in Group::"admins", action, resource == Airlock::"control-plane");` },
    resources: [],
    config: {
      approvals: { notify: [{ type: 'webhook', url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, secret: 'hook-secret' }] },
      // No weekday is a business day: every admin action is off hours.
      alerts: [{ name: 'night-admin', type: 'off_hours_admin', weekdays: [], window_seconds: 3600 }],
    },
  });
});
after(async () => {
  await airlock?.stop();
  hook?.close();
});

describe('alerts', () => {
  it('deliver an off-hours admin alert once per window, signed, and record it', async () => {
    const admin = await airlock.token({ sub: 'ops', groups: ['admins'] });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${airlock.adminUrl}/api/v1/approvals`, { headers: { authorization: `Bearer ${admin}` } });
      assert.equal(res.status, 200);
    }
    await waitFor(() => received.some((r) => r.body.event === 'alert'), 10_000);
    await new Promise((r) => setTimeout(r, 1500));
    const alerts = received.filter((r) => r.body.event === 'alert');
    assert.equal(alerts.length, 1, 'once per window');
    assert.equal(alerts[0]!.body.alert!.key, 'User::"ops"');
    assert.match(String(alerts[0]!.headers['airlock-signature']), /^t=\d+,v1=[0-9a-f]{64}$/);
    assert.equal(await airlock.stop(), 0);
    const lines = (await runCli(['audit', 'export', '--config', airlock.configFile])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.filter((l) => l.kind === 'alert' && l.alert === 'night-admin').length, 1);
    assert.ok(lines.some((l) => l.kind === 'notification' && l.alert === 'night-admin' && l.ok === true));
  });
});
