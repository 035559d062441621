// The forward against a real local upstream: the answer relayed with its status and headers; a
// client that leaves, at any point, stopping the upstream request instead of leaving it to run;
// an upstream that fails mid-answer ending the client response and saying so in the outcome.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type ClientRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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
    if (req.url === '/dies') {
      // Answers, then its connection drops mid-body.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n', () => res.socket?.destroy());
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

/** Closes the test's gateways whether it passed or not: an open one would hold the run up. */
const gateways: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of gateways.splice(0)) await close();
});

/**
 * A gateway whose every request is forwarded; each forward's outcome is pushed to `outcomes`.
 * With `afterClientLeft`, a request is forwarded only once its client has gone (as when a client
 * gives up while its request is being decided).
 */
async function forwarding({ afterClientLeft = false } = {}) {
  const up = new Upstream({
    upstream: upstreamUrl,
    inject: { headers: {} },
    timeouts: { connect_ms: 1000, response_ms: 5000 },
  });
  const outcomes: ForwardOutcome[] = [];
  let requestsSeen = 0;
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    requestsSeen++;
    const request = { method: req.method!, path: req.url!, query: '', headers: req.headers, body: Buffer.alloc(0), clientIp: '127.0.0.1', requestId: 'r-1' };
    if (afterClientLeft) await once(res, 'close');
    outcomes.push(await up.forward(request, res));
  };
  const { server, url } = await listen('127.0.0.1:0', handler);
  gateways.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await up.close();
  });
  return {
    url,
    outcomes,
    get requestsSeen() {
      return requestsSeen;
    },
  };
}

/** A request the test will cut off: its errors are expected. */
function clientRequest(url: string): ClientRequest {
  const req = request(url);
  req.on('error', () => undefined).end();
  return req;
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
    assert.equal(gw.outcomes[0]!.error, undefined);
    assert.ok(gw.outcomes[0]!.bytes > '{"ok":true}'.length, 'bytes count the headers too');
  });

  it('stops the upstream request when the client leaves mid-stream', async () => {
    upstreamCutOff = false;
    const gw = await forwarding();
    const req = clientRequest(`${gw.url}/forever`);
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    await once(res, 'data');
    req.destroy(); // the client goes away after the first event
    await waitFor(() => upstreamCutOff && gw.outcomes.length === 1);
    assert.equal(gw.outcomes[0]!.status, 200);
    assert.equal(gw.outcomes[0]!.error, 'client_closed');
  });

  it('stops the upstream request when the client leaves before the upstream answers', async () => {
    upstreamCutOff = false;
    upstreamReached = false;
    const gw = await forwarding();
    const req = clientRequest(`${gw.url}/silent`);
    await waitFor(() => upstreamReached);
    req.destroy();
    await waitFor(() => upstreamCutOff && gw.outcomes.length === 1);
    assert.equal(gw.outcomes[0]!.status, 0);
    assert.equal(gw.outcomes[0]!.error, 'client_closed');
  });

  it('does not call the upstream for a client that left while its request was decided', async () => {
    upstreamReached = false;
    const gw = await forwarding({ afterClientLeft: true });
    const req = clientRequest(`${gw.url}/forever`);
    await waitFor(() => gw.requestsSeen === 1);
    req.destroy();
    await waitFor(() => gw.outcomes.length === 1);
    assert.deepEqual(gw.outcomes[0], { status: 0, bytes: 0, error: 'client_closed' });
    assert.equal(upstreamReached, false);
  });

  it('records an upstream that fails after its answer began, and ends the client response', async () => {
    const gw = await forwarding();
    const req = clientRequest(`${gw.url}/dies`);
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    assert.equal(res.statusCode, 200);
    // The gateway cuts the response off, which the client sees as an 'aborted' error.
    await new Promise((closed) => res.on('error', () => undefined).on('close', closed).resume());
    await waitFor(() => gw.outcomes.length === 1);
    assert.equal(gw.outcomes[0]!.status, 200);
    assert.equal(gw.outcomes[0]!.error, 'upstream_unavailable');
  });
});
