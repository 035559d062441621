// End to end: headers that say who the client is are the gateway's to set. A client's own
// X-Forwarded-*, Forwarded, X-Real-IP and Airlock-* headers never reach the upstream; a resource
// may ask for a signed identity assertion instead, verifiable with the control plane's JWKS; and
// X-Forwarded-For is believed only from a trusted proxy.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startDemoUpstream } from '../../examples/quickstart/demo-upstream.js';
import { startAirlock, type RunningAirlock } from '../support/airlock-process.js';

const POLICIES = {
  'p.cedar': `
@id("echo") permit (principal in Group::"ml-eng", action, resource in Resource::"echo") when { !context.source_ip.isInRange(ip("192.0.2.0/24")) };
`,
};

let airlock: RunningAirlock;
let proxied: RunningAirlock;
let upstream: Awaited<ReturnType<typeof startDemoUpstream>>;

before(async () => {
  upstream = await startDemoUpstream(0);
  const resources = [{ name: 'echo', type: 'http', upstream: `${upstream.url}/debug/echo`, identity_assertion: { audience: 'echo-service' } }];
  airlock = await startAirlock({ policies: POLICIES, resources });
  proxied = await startAirlock({ policies: POLICIES, resources, config: { trusted_proxies: ['127.0.0.1', '::1'] } });
});
after(async () => {
  await Promise.all([airlock?.stop(), proxied?.stop()]);
  upstream?.server.close();
});

async function echo(gw: RunningAirlock, headers: Record<string, string>) {
  const token = await gw.token({ sub: 'alice', groups: ['ml-eng'] });
  const res = await fetch(`${gw.dataUrl}/echo/x`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  return { res, seen: res.status === 200 ? ((await res.json()) as { headers: Record<string, string> }).headers : {} };
}

describe('identity headers', () => {
  it('replaces what a client claims about itself with what the gateway knows', async () => {
    const { res, seen } = await echo(airlock, {
      'x-forwarded-for': '192.0.2.1',
      'x-forwarded-host': 'evil.example',
      forwarded: 'for=192.0.2.1',
      'x-real-ip': '192.0.2.1',
      'airlock-principal': 'User::"admin"',
      'x-airlock-groups': 'admins',
      'airlock-identity': 'forged',
      // CGI-style servers read these as X-Forwarded-For and Airlock-Identity
      x_forwarded_for: '192.0.2.1',
      airlock_identity: 'forged',
    });
    assert.equal(res.status, 200, 'a forged X-Forwarded-For is not believed from an untrusted peer');
    assert.equal(seen['x-forwarded-for'], '127.0.0.1');
    for (const h of ['x-forwarded-host', 'forwarded', 'x-real-ip', 'airlock-principal', 'x-airlock-groups', 'x_forwarded_for', 'airlock_identity']) assert.equal(seen[h], undefined, h);
    assert.notEqual(seen['airlock-identity'], 'forged');
  });

  it('signs an identity assertion the upstream can verify with the control plane JWKS', async () => {
    const { res, seen } = await echo(airlock, {});
    const jwks = createRemoteJWKSet(new URL(`${airlock.adminUrl}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(seen['airlock-identity']!, jwks, { audience: 'echo-service', issuer: 'airlock' });
    assert.equal(payload.sub, 'User::"alice"');
    assert.deepEqual(payload.groups, ['ml-eng']);
    assert.equal(payload.jti, res.headers.get('airlock-request-id'));
    assert.ok(payload.exp! - payload.iat! <= 60);
  });

  it('believes X-Forwarded-For from a trusted proxy, for the decision and what the upstream sees', async () => {
    const blocked = await echo(proxied, { 'x-forwarded-for': '192.0.2.1' });
    assert.equal(blocked.res.status, 403);
    const { seen } = await echo(proxied, { 'x-forwarded-for': '198.51.100.7' });
    assert.equal(seen['x-forwarded-for'], '198.51.100.7');
  });
});
