// Injected credentials that reference secrets: rebuilt when a secret changes (and only then), a
// value that cannot be a header refused at construction naming the header, and a credential that
// is gone refusing the forward instead of sending the request without it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from '../../gateway/listen.js';
import { AirlockError } from '../../lib/errors.js';
import type { HttpResourceConfig } from './config.js';
import { Upstream } from './forward.js';

let upstream: Server;
let upstreamUrl: string;
const seen: string[] = [];

before(async () => {
  upstream = createServer((req, res) => {
    seen.push(req.headers.authorization ?? '');
    req.resume();
    res.end('ok');
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
after(() => upstream.close());

/** A resource whose Authorization reads `current` at each read, as a bound secret reference does. */
function resource(read: () => string): HttpResourceConfig {
  const headers = {};
  Object.defineProperty(headers, 'Authorization', { enumerable: true, get: read });
  return { name: 'api', type: 'http', upstream: upstreamUrl, inject: { headers }, attributes: {}, timeouts: { connect_ms: 1000, response_ms: 5000 } };
}

describe('live inject headers', () => {
  it('are rebuilt when the secrets generation moves, and read no more often than that', async () => {
    let current = 'Bearer one';
    let reads = 0;
    const secrets = { generation: 0 };
    const up = new Upstream(resource(() => (reads++, current)), secrets);
    const errors: unknown[] = [];
    const { server, url } = await listen('127.0.0.1:0', async (req: IncomingMessage, res: ServerResponse) => {
      await up
        .forward({ method: 'GET', path: '/', query: '', headers: req.headers, body: Buffer.alloc(0), clientIp: '127.0.0.1', requestId: 'r' }, res)
        .catch((err: unknown) => (errors.push(err), res.writeHead(502).end()));
    });
    try {
      await (await fetch(url)).text();
      await (await fetch(url)).text();
      assert.deepEqual(seen.splice(0), ['Bearer one', 'Bearer one']);
      assert.equal(reads, 1, 'built once at construction');
      current = 'Bearer two';
      secrets.generation++;
      await (await fetch(url)).text();
      assert.deepEqual(seen.splice(0), ['Bearer two']);
      current = 'Bearer bad\r\nX-Evil: 1';
      secrets.generation++;
      assert.equal((await fetch(url)).status, 502);
      assert.deepEqual(seen.splice(0), [], 'nothing was sent without its credential');
      assert.ok(errors[0] instanceof AirlockError && errors[0].code === 'upstream_unavailable' && !errors[0].message.includes('bad'));
    } finally {
      server.close();
      await up.close();
    }
  });

  it('refuse at construction a value that cannot be a header, naming the header and not the value', () => {
    assert.throws(
      () => new Upstream(resource(() => 'Bearer sk-abc\nline')),
      (e) => e instanceof AirlockError && e.code === 'config_invalid' && e.message === 'resources.api.inject.headers.Authorization: is not a valid HTTP header value',
    );
  });
});
