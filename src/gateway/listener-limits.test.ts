// Listener limits from the outside: raw sockets play the slow and greedy clients.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { listen } from './listen.js';
import { listenerLimitsSchema } from './listener-limits.js';

async function server(limits: Record<string, number>) {
  const { server, url } = await listen('127.0.0.1:0', async (_req, res) => void res.end('ok'), { limits: listenerLimitsSchema.parse(limits) });
  const port = Number(new URL(url).port);
  return { url, port, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves with what the server sent once it closed the connection, and when. */
function untilClosed(s: Socket): Promise<{ data: string; at: number }> {
  let data = '';
  s.on('data', (d: Buffer) => (data += d.toString()));
  return new Promise((resolve) => s.once('close', () => resolve({ data, at: Date.now() })));
}

describe('listener limits', () => {
  it('cuts a client that sends its headers too slowly, while others are served', async () => {
    const gw = await server({ header_timeout_ms: 500 });
    const slow = await open(gw.port);
    const started = Date.now();
    const closed = untilClosed(slow);
    slow.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => slow.writable && slow.write('X-Slow: 1\r\n'), 100);
    const other = await fetch(gw.url);
    assert.equal(await other.text(), 'ok');
    const { data, at } = await closed;
    clearInterval(drip);
    await gw.close();
    assert.match(data, /^HTTP\/1\.1 408/);
    assert.ok(at - started < 500 + 1500, `cut after ${at - started} ms`);
  });

  it('refuses connections past the per-client cap and serves again once they close', async () => {
    const gw = await server({ max_connections_per_client: 2 });
    const held = [await open(gw.port), await open(gw.port)];
    const third = await open(gw.port);
    const { data } = await untilClosed(third);
    assert.match(data, /^HTTP\/1\.1 503/);
    for (const s of held) s.destroy();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await fetch(gw.url).catch(() => ({ status: 0 }))).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    await gw.close();
    assert.equal(status, 200);
  });
});
