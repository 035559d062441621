// The address a request came from. The socket's peer, unless that peer is a configured trusted
// proxy: then X-Forwarded-For is read from the right, skipping trusted proxies, and the first
// address that is not one is the client. Anyone can send X-Forwarded-For, so it is believed only
// as far as the chain of trusted hops goes; with no trusted proxies it is never read.
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

export type ClientAddress = (req: IncomingMessage) => string;

export function clientIpOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? '0.0.0.0';
}

/** `cidrs` like `10.0.0.0/8`, `::1/128` or a bare address; validated by the config schema. */
export function clientAddressResolver(cidrs: readonly string[]): ClientAddress {
  if (!cidrs.length) return clientIpOf;
  const trusted = new BlockList();
  for (const cidr of cidrs) {
    const [address, bits] = cidr.split('/') as [string, string | undefined];
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    trusted.addSubnet(address, bits === undefined ? (family === 'ipv6' ? 128 : 32) : Number(bits), family);
  }
  const isTrusted = (address: string) => {
    const a = unmapped(address);
    const family = isIP(a);
    return family !== 0 && trusted.check(a, family === 6 ? 'ipv6' : 'ipv4');
  };
  return (req) => {
    const peer = clientIpOf(req);
    if (!isTrusted(peer)) return peer;
    const forwarded = req.headers['x-forwarded-for'];
    if (!forwarded) return peer;
    const hops = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded).split(',').map((h) => h.trim());
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      if (isIP(unmapped(hop)) === 0) return peer; // a malformed chain is not believed at all
      if (!isTrusted(hop)) return hop;
    }
    return hops[0] ?? peer;
  };
}

/**
 * The block one client is counted by (rate limits, record shares): an IPv4 address, or the /64 an
 * IPv6 address is in. A single subscriber is handed a whole /64 and may send from any of its
 * 2^64 addresses, so counting per IPv6 address would give one client endless fresh shares.
 */
export function addressBlock(address: string): string {
  const a = unmapped(address);
  if (isIP(a) !== 6) return a;
  const zone = a.indexOf('%');
  const bare = zone === -1 ? a : a.slice(0, zone);
  const [head = '', tail] = bare.split('::');
  // An embedded IPv4 tail (`64:ff9b::192.0.2.1`) stands for two groups.
  const groups = (part: string) => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const h = groups(head);
  const t = groups(tail ?? '');
  const all = tail === undefined ? h : [...h, ...new Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${all.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** The schema check for one `trusted_proxies` entry. */
export function isCidr(text: string): boolean {
  const [address, bits, extra] = text.split('/');
  if (extra !== undefined || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n <= (family === 6 ? 128 : 32);
}
