// End to end: where the gateway and an upstream could read one request two ways (paths, duplicate
// JSON keys, compressed bodies, two credentials, method overrides), the gateway either reads it
// the one way it forwards it or refuses it. The upstream records what it really received.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import type { IncomingMessage } from 'node:http';
import { startDemoUpstream } from '../../src/dev/demo-upstream.js';
import { startAirlock, type RunningAirlock } from '../support/airlock-process.js';

const curl = promisify(execFile);

let airlock: RunningAirlock;
let upstream: Awaited<ReturnType<typeof startDemoUpstream>>;
let token: string;
const received: string[] = [];

before(async () => {
  upstream = await startDemoUpstream(0);
  upstream.server.on('request', (req: IncomingMessage) => received.push(`${req.method} ${req.url}`));
  airlock = await startAirlock({
    policies: {
      'p.cedar': `
@id("small") permit (principal in Group::"ml-eng", action == Action::"model.invoke", resource in Resource::"llm") when { context.model == "gpt-4o-mini" };
@id("reads") permit (principal in Group::"ml-eng", action == Action::"http.read", resource in Resource::"llm");
`,
    },
    resources: [{ name: 'llm', type: 'openai', upstream: upstream.url }],
  });
  token = await airlock.token({ sub: 'alice', groups: ['ml-eng'] });
});
after(async () => {
  await airlock?.stop();
  upstream?.server.close();
});

const chat = (path: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
  fetch(`${airlock.dataUrl}/llm${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body: body as BodyInit });

describe('one reading of each request', () => {
  it('decides an encoded or doubled-slash path as the chat completion the upstream serves, and forwards the normal form', async () => {
    received.length = 0;
    const body = JSON.stringify({ model: 'gpt-4o', messages: [] });
    for (const path of ['/v1/chat/%63ompletions', '/v1//chat/completions']) {
      const res = await chat(path, body);
      assert.equal(res.status, 403, `${path} is decided as model.invoke of gpt-4o, which is not permitted`);
    }
    assert.equal(received.length, 0);
    const ok = await chat('/v1//chat/%63ompletions', JSON.stringify({ model: 'gpt-4o-mini', messages: [] }));
    assert.equal(ok.status, 200);
    assert.deepEqual(received, ['POST /v1/chat/completions']);
  });

  it('refuses paths it cannot normalise, and forwards nothing', async () => {
    received.length = 0;
    for (const path of ['/v1/models/..%2Fchat', '/v1/models%2Fx', '/v1/models%5Cx', '/v1/models;x=1', '/v1/a/%2e%2e/models']) {
      const { stdout } = await curl('curl', ['-s', '--path-as-is', '-o', '/dev/null', '-w', '%{http_code}', '-H', `Authorization: Bearer ${token}`, `${airlock.dataUrl}/llm${path}`]);
      assert.equal(stdout, '400', path);
    }
    assert.equal(received.length, 0);
  });

  it('refuses a body with a duplicate key, a compressed body and a method override', async () => {
    received.length = 0;
    const dup = await chat('/v1/chat/completions', '{"model":"gpt-4o","model":"gpt-4o-mini","messages":[]}');
    assert.equal(dup.status, 400);
    assert.match(((await dup.json()) as { detail: string }).detail, /duplicate key/);
    const gz = await chat('/v1/chat/completions', gzipSync(JSON.stringify({ model: 'gpt-4o-mini', messages: [] })), { 'content-encoding': 'gzip' });
    assert.equal(gz.status, 415);
    const override = await chat('/v1/chat/completions', JSON.stringify({ model: 'gpt-4o-mini', messages: [] }), { 'x-http-method-override': 'DELETE' });
    assert.equal(override.status, 400);
    assert.equal(received.length, 0);
  });

  it('refuses two Authorization headers', async () => {
    const { stdout } = await curl('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', `Authorization: Bearer ${token}`, '-H', 'Authorization: Bearer other', `${airlock.dataUrl}/llm/v1/models`]);
    assert.equal(stdout, '400');
  });
});
