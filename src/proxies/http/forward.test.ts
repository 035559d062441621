// The forward against a real local upstream: the answer relayed with its status and headers, and
// a client that leaves mid-stream stopping the upstream request instead of leaving it to run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { listen } from '../../gateway/listen.js';
import { waitFor } from '../../lib/test-wait.js';
import { Upstream, type ForwardOutcome } from './forward.js';

let upstream: Server;
let upstreamUrl: string;
/** Set when the upstream sees its request end before the response was finished. */
let upstreamCutOff = false;
/** Set when a request reaches the upstream. */
let upstreamReached = false;

before(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    upstreamReached = true;
    if (req.url === '/silent') {
      // A long generation that answers only at the end: it has not answered yet.
      res.once('close', () => (upstreamCutOff = !res.headersSent));
      return;
    }
    if (req.url === '/forever') {
      // A generation that never ends: one event, then silence.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      res.once('close', () => (upstreamCutOff = !res.writableFinished));
      return;
    }
    res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes', connection: 'x-hop', 'x-hop': 'no' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
after(() => {
  upstream.closeAllConnections();
  upstream.close();
});

/**
 * A gateway whose every request is forwarded; each forward's outcome is pushed to `outcomes`.
 * With `afterClientLeft`, a request is forwarded only once its client has gone (as when a client
 * gives up while its request is being decided).
 */
async function forwarding({ afterClientLeft = false } = {}) {
  const up = new Upstream({
    name: 'api',
    type: 'http',
    upstream: upstreamUrl,
    inject: { headers: {} },
    attributes: {},
    timeouts: { connect_ms: 1000, response_ms: 5000 },
  });
  const outcomes: ForwardOutcome[] = [];
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const request = { method: req.method!, path: req.url!, query: '', headers: req.headers, body: Buffer.alloc(0), clientIp: '127.0.0.1', requestId: 'r-1' };
    if (afterClientLeft) await once(res, 'close');
    outcomes.push(await up.forward(request, res));
  };
  const { server, url } = await listen('127.0.0.1:0', handler);
  const close = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await up.close();
  };
  return { url, outcomes, close };
}

describe('forwarding to the upstream', () => {
  it('relays status and headers, minus what the Connection header lists, with the request id', async () => {
    const gw = await forwarding();
    const res = await fetch(`${gw.url}/thing`);
    assert.equal(res.status, 201);
    assert.equal(await res.text(), '{"ok":true}');
    assert.equal(res.headers.get('x-upstream'), 'yes');
    assert.equal(res.headers.get('x-hop'), null);
    assert.equal(res.headers.get('airlock-request-id'), 'r-1');
    await waitFor(() => gw.outcomes.length === 1);
    assert.equal(gw.outcomes[0]!.status, 201);
    assert.equal(gw.outcomes[0]!.clientClosed, false);
    assert.ok(gw.outcomes[0]!.bytes > '{"ok":true}'.length, 'bytes count the headers too');
    await gw.close();
  });

  it('stops the upstream request when the client leaves mid-stream', async () => {
    upstreamCutOff = false;
    const gw = await forwarding();
    await new Promise<void>((resolve) => {
      const req = request(`${gw.url}/forever`, (res) =>
        res.once('data', () => {
          req.destroy(); // the client goes away after the first event
          resolve();
        }),
      );
      req.on('error', () => undefined).end();
    });
    await waitFor(() => upstreamCutOff && gw.outcomes.length === 1);
    assert.equal(gw.outcomes[0]!.status, 200);
    assert.equal(gw.outcomes[0]!.clientClosed, true);
    await gw.close();
  });

  it('stops the upstream request when the client leaves before the upstream answers', async () => {
    upstreamCutOff = false;
    upstreamReached = false;
    const gw = await forwarding();
    const req = request(`${gw.url}/silent`);
    req.on('error', () => undefined).end();
    await waitFor(() => upstreamReached);
    req.destroy();
    await waitFor(() => upstreamCutOff && gw.outcomes.length === 1);
    assert.equal(gw.outcomes[0]!.status, 0);
    assert.equal(gw.outcomes[0]!.clientClosed, true);
    await gw.close();
  });

  it('does not call the upstream for a client that left while its request was decided', async () => {
    upstreamReached = false;
    const gw = await forwarding({ afterClientLeft: true });
    const req = request(`${gw.url}/forever`);
    req.on('error', () => undefined).end();
    req.on('socket', (socket) => socket.once('connect', () => setTimeout(() => req.destroy(), 20)));
    await waitFor(() => gw.outcomes.length === 1);
    assert.deepEqual(gw.outcomes[0], { status: 0, bytes: 0, clientClosed: true });
    assert.equal(upstreamReached, false);
    await gw.close();
  });
});
