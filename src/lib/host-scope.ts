// Where a host name or address sits: this machine (loopback), a private network, or (as far as
// its name tells) the public internet. Used to warn about risky settings, never to decide access:
// a name is judged by its form alone, without DNS.
import { BlockList, isIP } from 'node:net';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

const PRIVATE = new BlockList();
for (const [net, bits] of [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['169.254.0.0', 16], ['100.64.0.0', 10]] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
PRIVATE.addSubnet('fc00::', 7, 'ipv6');
PRIVATE.addSubnet('fe80::', 10, 'ipv6');

/** Suffixes of names that only resolve inside a site or a cluster (RFC 6762, 8375, Kubernetes). */
const SITE_SUFFIXES = ['.local', '.internal', '.lan', '.home.arpa', '.svc', '.cluster.local', '.corp', '.intranet'];

/** `[::1]` -> `::1`; `::ffff:10.0.0.1` -> `10.0.0.1`. */
function bare(host: string): string {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/.test(h) ? h.slice(7) : h;
}

function familyOf(address: string): 'ipv4' | 'ipv6' | undefined {
  const v = isIP(address);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined;
}

export function isLoopbackHost(host: string): boolean {
  const h = bare(host);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const family = familyOf(h);
  return family !== undefined && LOOPBACK.check(h, family);
}

/**
 * True when the host looks reachable over the public internet: a public address, or a dotted
 * name outside the site-local suffixes. Single-label names (`ollama`, a container or service
 * name) are taken as local.
 */
export function isPublicHost(host: string): boolean {
  const h = bare(host).replace(/\.$/, '');
  if (isLoopbackHost(h)) return false;
  const family = familyOf(h);
  if (family !== undefined) return !PRIVATE.check(h, family) && h !== '0.0.0.0' && h !== '::';
  if (!h.includes('.')) return false;
  return !SITE_SUFFIXES.some((s) => h.endsWith(s));
}
