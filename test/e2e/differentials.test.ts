// End to end: where the gateway and an upstream could read one request two ways (paths, duplicate
// JSON keys, compressed bodies, two credentials, method and path overrides, loosely typed body
// fields), the gateway either reads it the one way it forwards it or refuses it. The upstream
// records what it really received.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import type { IncomingMessage } from 'node:http';
import { startDemoUpstream } from '../../examples/quickstart/demo-upstream.js';
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
@id("no-big-calls") forbid (principal, action == Action::"model.invoke", resource in Resource::"llm") when { context has max_tokens && context.max_tokens > 1000 };
@id("no-streams") forbid (principal, action == Action::"model.invoke", resource in Resource::"llm") when { context.stream };
@id("notes") permit (principal in Group::"ml-eng", action == Action::"http.write", resource in Resource::"api") when { context.path like "/notes/*" };
`,
    },
    resources: [
      { name: 'llm', type: 'openai', upstream: upstream.url },
      { name: 'api', type: 'http', upstream: `${upstream.url}/debug/echo`, inject: { headers: { 'x-api-key': 'inject-secret-789' } } },
    ],
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
    for (const path of ['/v1/models/..%2Fchat', '/v1/models%2Fx', '/v1/models%5Cx', '/v1/models;x=1', '/v1/a/%2e%2e/models', '/v1/a/%252e%252e/models']) {
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

  it('decides on the largest token limit a body sets and refuses a stream flag servers would read loosely', async () => {
    received.length = 0;
    const both = await chat('/v1/chat/completions', JSON.stringify({ model: 'gpt-4o-mini', messages: [], max_tokens: 10, max_completion_tokens: 50000 }));
    assert.equal(both.status, 403, 'decided on max_completion_tokens, which vLLM reads first');
    for (const stream of [1, 'true']) {
      const res = await chat('/v1/chat/completions', JSON.stringify({ model: 'gpt-4o-mini', messages: [], stream }));
      assert.equal(res.status, 400, `stream: ${JSON.stringify(stream)}`);
    }
    assert.equal(received.length, 0);
  });

  it('refuses a request that names another method or path, in a header, the query or a form, and forwards nothing', async () => {
    received.length = 0;
    const write = (path: string, headers: Record<string, string>, body = 'x=1') =>
      fetch(`${airlock.dataUrl}/api${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    assert.equal((await write('/notes/a', {})).status, 200);
    for (const [path, headers, body] of [
      ['/notes/a', { 'x-original-url': '/admin' }],
      ['/notes/a', { 'x-rewrite-url': '/admin' }],
      ['/notes/a?_method=DELETE', {}],
      ['/notes/a', {}, '_method=DELETE'],
    ] as const) {
      assert.equal((await write(path, headers, body)).status, 400, `${path} ${JSON.stringify(headers)} ${body ?? ''}`);
    }
    const { stdout } = await curl('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', `Authorization: Bearer ${token}`, '-H', 'X_HTTP_Method_Override: DELETE', '-d', 'x=1', `${airlock.dataUrl}/api/notes/a`]);
    assert.equal(stdout, '400', 'an override header spelled with underscores, as CGI servers read it');
    assert.equal(received.length, 1);
  });

  it('refuses TRACE, which an upstream answers with the request it got, injected credential included', async () => {
    received.length = 0;
    const { stdout } = await curl('curl', ['-s', '-X', 'TRACE', '-w', ' %{http_code}', '-H', `Authorization: Bearer ${token}`, `${airlock.dataUrl}/api/notes/a`]);
    assert.match(stdout, / 400$/);
    assert.doesNotMatch(stdout, /inject-secret-789/);
    assert.equal(received.length, 0);
  });
});
