import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { addressBlock, clientAddressResolver, isCidr } from './client-ip.js';

const req = (peer: string, xff?: string) => ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;

describe('client address', () => {
  it('ignores X-Forwarded-For unless the peer is a trusted proxy', () => {
    assert.equal(clientAddressResolver([])(req('203.0.113.9', '10.1.1.1')), '203.0.113.9');
    assert.equal(clientAddressResolver(['10.0.0.0/8'])(req('203.0.113.9', '10.1.1.1')), '203.0.113.9');
  });

  it('reads the chain from the right, skipping trusted hops, believing nothing a client prepended', () => {
    const resolve = clientAddressResolver(['10.0.0.0/8', '::1']);
    assert.equal(resolve(req('10.0.0.2', '198.51.100.7')), '198.51.100.7');
    assert.equal(resolve(req('::ffff:10.0.0.2', '1.2.3.4, 198.51.100.7, 10.0.0.5')), '198.51.100.7');
    assert.equal(resolve(req('::1', 'not-an-ip, 198.51.100.7')), '198.51.100.7');
    assert.equal(resolve(req('10.0.0.2', 'garbage')), '10.0.0.2', 'a malformed hop is not believed');
  });

  it('validates CIDRs', () => {
    for (const ok of ['10.0.0.0/8', '::1', 'fd00::/8', '192.168.1.1']) assert.ok(isCidr(ok), ok);
    for (const bad of ['10.0.0.0/33', 'x/8', '10.0.0.0/8/1', '', '::1/129']) assert.ok(!isCidr(bad), bad);
  });

  it('counts an IPv6 client by its /64, an IPv4 client by its address', () => {
    assert.equal(addressBlock('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
    assert.equal(addressBlock('2001:db8:1:2::1'), '2001:db8:1:2::/64');
    assert.equal(addressBlock('2001:0db8:0001:0002:0000::9%eth0'), '2001:db8:1:2::/64');
    assert.equal(addressBlock('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressBlock('::1'), '0:0:0:0::/64');
    assert.equal(addressBlock('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
    assert.equal(addressBlock('::ffff:203.0.113.9'), '203.0.113.9');
    assert.equal(addressBlock('203.0.113.9'), '203.0.113.9');
  });
});
