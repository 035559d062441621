import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commonContext, ipValue } from './context.js';

const ip = (arg: string) => ({ __extn: { fn: 'ip', arg } });

describe('commonContext', () => {
  it('builds the keys every request has, in UTC', () => {
    // 2024-06-02 was a Sunday.
    const now = new Date('2024-06-02T23:30:00-02:00');
    assert.deepEqual(commonContext({ principal: { mfa: true, mfaAge: 42.7 }, sourceIp: '10.1.2.3', method: 'GET', path: '/v1/models', now }), {
      mfa: true, mfa_age: 42, source_ip: ip('10.1.2.3'), hour: 1, weekday: 1, method: 'GET', path: '/v1/models',
    });
    assert.equal(commonContext({ principal: { mfa: false, mfaAge: 0 }, sourceIp: '::1', method: 'GET', path: '/', now: new Date('2024-06-02T12:00:00Z') }).weekday, 0);
  });

  it('treats an unknown or negative age as the policy would want: never fresh, never below zero', () => {
    const ctx = (mfaAge: number) => commonContext({ principal: { mfa: true, mfaAge }, sourceIp: '::1', method: 'GET', path: '/', now: new Date() });
    assert.equal(ctx(Number.NaN)['mfa_age'], Number.MAX_SAFE_INTEGER);
    assert.equal(ctx(-5)['mfa_age'], 0);
  });
});

describe('commonContext with credential facts', () => {
  it('adds what the token proves (scope, client_id, azp); the classifier\'s keys still win', () => {
    const principal = { mfa: false, mfaAge: 0, facts: { scope: ['models:invoke'], client_id: 'etl', azp: 'etl' } };
    const ctx = commonContext({ principal, sourceIp: '::1', method: 'POST', path: '/', now: new Date() }, { model: 'm' });
    assert.deepEqual([ctx['scope'], ctx['client_id'], ctx['azp'], ctx['model']], [['models:invoke'], 'etl', 'etl', 'm']);
    const plain = commonContext({ principal: { mfa: false, mfaAge: 0 }, sourceIp: '::1', method: 'GET', path: '/', now: new Date() });
    assert.equal('scope' in plain, false, 'an API key has no scope');
  });
});

describe('ipValue', () => {
  it('strips the IPv4-mapped prefix a dual-stack socket reports', () => {
    assert.deepEqual(ipValue('::ffff:192.168.0.7'), ip('192.168.0.7'));
    assert.deepEqual(ipValue('::FFFF:10.0.0.1'), ip('10.0.0.1'));
  });

  it('keeps IPv6 addresses, without a zone', () => {
    assert.deepEqual(ipValue('2001:db8::1'), ip('2001:db8::1'));
    assert.deepEqual(ipValue('fe80::1%eth0'), ip('fe80::1'));
  });
});
