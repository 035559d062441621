// The floor for any Node gateway: node:http in, undici `pool.stream()` out, nothing else (no
// auth, no policy, no audit). Airlock's overhead is measured against this, not against nginx.
// Run as its own process (env PORT, UPSTREAM) so its CPU can be read from /proc/<pid>/stat.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

// Hop-by-hop headers belong to one connection; node:http and undici each frame their own.
const HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer'];
const strip = <T extends Record<string, unknown>>(h: T): T => {
  const out = { ...h };
  for (const name of HOP) delete out[name];
  return out;
};

const pool = new Pool(process.env.UPSTREAM ?? 'http://127.0.0.1:9100', { connections: 128, pipelining: 1 });

const server = createServer((req, res) => {
  const { host: _host, ...headers } = strip(req.headers as IncomingHttpHeaders);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  pool
    .stream({ path: req.url ?? '/', method: req.method ?? 'GET', headers, body: hasBody ? req : null }, ({ statusCode, headers: up }) => {
      res.writeHead(statusCode, strip(up));
      return res;
    })
    .catch(() => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`bare proxy on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
