// End to end: a real `airlock serve` process in front of the demo model server, driven by the
// `openai` npm client and curl.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { startDemoUpstream } from '../../src/dev/demo-upstream.js';
import { runCli, startAirlock, type RunningAirlock } from '../support/airlock-process.js';

const curl = promisify(execFile);

const POLICIES = {
  'models.cedar': `
@id("eng-small")
permit (principal in Group::"ml-eng", action == Action::"model.invoke", resource in Resource::"llm")
when { context.model == "gpt-4o-mini" };
@id("eng-list")
permit (principal in Group::"ml-eng", action == Action::"model.list", resource in Resource::"llm");
@id("leads-big-mfa") @mfa("required") @mfa_max_age("300")
permit (principal in Group::"ml-leads", action == Action::"model.invoke", resource == Model::"llm/gpt-4o");
@id("bot") permit (principal == Agent::"ci-bot", action == Action::"model.invoke", resource in Resource::"llm");
@id("sensitive-approval") @approval("ml-leads")
permit (principal in Group::"ml-eng", action == Action::"model.invoke", resource == Model::"llm/gpt-4o");
@id("echo-all") permit (principal in Group::"ml-eng", action, resource in Resource::"echo");
@id("down-all") permit (principal in Group::"ml-eng", action, resource in Resource::"down");
@id("slow-all") permit (principal in Group::"ml-eng", action, resource in Resource::"slow");
@id("no-contractors") forbid (principal in Group::"contractors", action, resource);
`,
  'admin.cedar': `
@id("auditors") permit (principal in Group::"auditors", action == Action::"admin.audit.read", resource == Airlock::"control-plane");
`,
};

let airlock: RunningAirlock;
let upstream: Awaited<ReturnType<typeof startDemoUpstream>>;
let slow: { close(): void; url: string };
const seen: { url?: string; count: number } = { count: 0 };

async function startSlowServer() {
  const server = createServer((req: IncomingMessage) => {
    req.resume(); // never answers
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { close: () => { server.closeAllConnections(); server.close(); }, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

before(async () => {
  upstream = await startDemoUpstream(0);
  upstream.server.on('request', (req: IncomingMessage) => {
    seen.count++;
    seen.url = req.url;
  });
  slow = await startSlowServer();
  airlock = await startAirlock({
    policies: POLICIES,
    resources: [
      { name: 'llm', type: 'openai', upstream: upstream.url, inject: { headers: { Authorization: 'Bearer upstream-secret-123' } } },
      { name: 'echo', type: 'http', upstream: `${upstream.url}/debug/echo`, inject: { headers: { 'X-Upstream-Key': 'inject-secret-456' } } },
      { name: 'down', type: 'http', upstream: 'http://127.0.0.1:1' },
      { name: 'slow', type: 'http', upstream: slow.url, timeouts: { connect_ms: 1000, response_ms: 300 } },
    ],
    config: { limits: { max_body_bytes: 4096 } },
  });
});

after(async () => {
  assert.equal(await airlock.stop(), 0, 'SIGTERM drains and exits 0');
  upstream.server.close();
  slow.close();
});

function client(token: string) {
  return new OpenAI({ apiKey: token, baseURL: `${airlock.dataUrl}/llm/v1`, maxRetries: 0 });
}

async function auditRecords(): Promise<Record<string, unknown>[]> {
  const token = await airlock.token({ sub: 'ada', groups: ['auditors'] });
  const res = await fetch(`${airlock.adminUrl}/api/v1/audit?after=-1&limit=1000`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  return (await res.json()) as Record<string, unknown>[];
}

describe('the request path with the openai client', () => {
  it('forwards an allowed chat completion and records the decision', async () => {
    const token = await airlock.token({ sub: 'alice', groups: ['ml-eng'] });
    const { data, response } = await client(token)
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    assert.match(data.choices[0]!.message.content ?? '', /Airlock demo model/);
    const requestId = response.headers.get('airlock-request-id');
    assert.ok(requestId);
    const records = await auditRecords();
    const decision = records.find((r) => r.request_id === requestId && r.kind === 'decision');
    assert.equal(decision?.decision, 'allow');
    assert.deepEqual(decision?.policies, ['eng-small']);
    assert.equal(decision?.action, 'model.invoke');
    assert.equal(decision?.resource, 'Model::"llm/gpt-4o-mini"');
    assert.match(String(decision?.policy_version), /^[0-9a-f]{64}$/);
  });

  it('streams server-sent events chunk by chunk', async () => {
    const token = await airlock.token({ sub: 'alice', groups: ['ml-eng'] });
    const stream = await client(token).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    let chunks = 0;
    for await (const part of stream) {
      chunks++;
      text += part.choices[0]?.delta.content ?? '';
    }
    assert.ok(chunks > 3);
    assert.equal(text, 'Hello from the Airlock demo model.');
  });

  it('refuses a model the policy does not permit with 403 denied', async () => {
    const token = await airlock.token({ sub: 'bob', groups: ['ml-eng', 'contractors'] });
    await assert.rejects(
      client(token).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      (err: InstanceType<typeof OpenAI.APIError>) => err.status === 403,
    );
  });

  it('lists models when permitted', async () => {
    const token = await airlock.token({ sub: 'alice', groups: ['ml-eng'] });
    const models = await client(token).models.list();
    assert.ok(models.data.some((m) => m.id === 'gpt-4o-mini'));
  });

  it('uses API keys for agents, and refuses a revoked key within a second', async () => {
    const created = await runCli(['keys', 'create', '--agent', 'ci-bot', '--config', airlock.configFile]);
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim();
    assert.match(key, /^alk_/);
    const ok = await client(key).embeddings.create({ model: 'text-embed', input: 'x' });
    assert.equal(ok.data.length, 1);
    const revoked = await runCli(['keys', 'revoke', 'ci-bot', '--config', airlock.configFile]);
    assert.equal(revoked.code, 0, revoked.stderr);
    await new Promise((r) => setTimeout(r, 1100));
    await assert.rejects(client(key).embeddings.create({ model: 'text-embed', input: 'x' }), (err: InstanceType<typeof OpenAI.APIError>) => err.status === 401);
  });
});

describe('the request path with curl', () => {
  async function curlJson(args: string[]) {
    const { stdout } = await curl('curl', ['-s', '-i', ...args]);
    const [head, ...rest] = stdout.split('\r\n\r\n');
    const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head!)?.[1]);
    const headers = Object.fromEntries(
      head!.split('\r\n').slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
    );
    return { status, headers, body: rest.join('\r\n\r\n') };
  }
  const chat = (model: string) => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] });

  it('answers 401 with a Bearer challenge when there is no credential', async () => {
    const r = await curlJson([`${airlock.dataUrl}/llm/v1/chat/completions`, '-d', chat('gpt-4o-mini'), '-H', 'content-type: application/json']);
    assert.equal(r.status, 401);
    assert.equal(r.headers['www-authenticate'], 'Bearer');
    assert.equal(r.headers['content-type'], 'application/problem+json');
    const body = JSON.parse(r.body);
    assert.equal(body.code, 'unauthenticated');
    assert.equal(body.request_id, r.headers['airlock-request-id']);
  });

  it('asks for step-up MFA with RFC 9470 and max_age, then allows with a fresh MFA token', async () => {
    const plain = await airlock.token({ sub: 'lee', groups: ['ml-leads'] });
    const r = await curlJson([`${airlock.dataUrl}/llm/v1/chat/completions`, '-H', `authorization: Bearer ${plain}`, '-d', chat('gpt-4o')]);
    assert.equal(r.status, 401);
    assert.match(r.headers['www-authenticate']!, /error="insufficient_user_authentication"/);
    assert.match(r.headers["www-authenticate"]!, /max_age="300"/);
    assert.equal(JSON.parse(r.body).code, 'mfa_required');
    const mfa = await airlock.token({ sub: 'lee', groups: ['ml-leads'], mfa: true });
    const ok = await curlJson([`${airlock.dataUrl}/llm/v1/chat/completions`, '-H', `authorization: Bearer ${mfa}`, '-d', chat('gpt-4o')]);
    assert.equal(ok.status, 200);
  });

  it('answers approval_required with 403 and forwards nothing', async () => {
    const token = await airlock.token({ sub: 'alice', groups: ['ml-eng'] });
    const before = seen.count;
    const r = await curlJson([`${airlock.dataUrl}/llm/v1/chat/completions`, '-H', `authorization: Bearer ${token}`, '-d', chat('gpt-4o')]);
    assert.equal(r.status, 403);
    assert.equal(JSON.parse(r.body).code, 'approval_required');
    assert.equal(seen.count, before);
  });

  it('refuses malformed JSON with 400 bad_request and forwards nothing', async () => {
    const token = await airlock.token({ sub: 'alice', groups: ['ml-eng'] });
    const before = seen.count;
    const r = await curlJson([`${airlock.dataUrl}/llm/v1/chat/completions`, '-H', `authorization: Bearer ${token}`, '-d', '{"model": "gpt-4o-mini",']);
    assert.equal(r.status, 400);
    assert.equal(JSON.parse(r.body).code, 'bad_request');
    assert.equal(seen.count, before);
  });

  it('answers 404 not_found for an unknown resource', async () => {
    const token = await airlock.token({ sub: 'alice', groups: ['ml-eng'] });
    const r = await curlJson([`${airlock.dataUrl}/nope/v1/models`, '-H', `authorization: Bearer ${token}`]);
    assert.equal(r.status, 404);
    assert.equal(JSON.parse(r.body).code, 'not_found');
  });

  it('removes the client credential and hop-by-hop headers, injects upstream headers, keeps the query', async () => {
    const token = await airlock.token({ sub: 'alice', groups: ['ml-eng'] });
    const r = await curlJson([
      `${airlock.dataUrl}/echo/some/path?x=1&y=two`,
      '-H', `authorization: Bearer ${token}`,
      '-H', 'connection: keep-alive, x-drop-me',
      '-H', 'x-drop-me: 1',
      '-H', 'x-keep-me: 2',
    ]);
    assert.equal(r.status, 200);
    const echoed = JSON.parse(r.body);
    assert.equal(echoed.url, '/debug/echo/some/path?x=1&y=two');
    assert.equal(echoed.headers.authorization, undefined);
    assert.equal(echoed.headers['x-drop-me'], undefined);
    assert.equal(echoed.headers['x-keep-me'], '2');
    assert.equal(echoed.headers['x-upstream-key'], 'inject-secret-456');
  });

  it('refuses a body over the limit with 413', async () => {
    const token = await airlock.token({ sub: 'alice', groups: ['ml-eng'] });
    const r = await curlJson([`${airlock.dataUrl}/echo/x`, '-H', `authorization: Bearer ${token}`, '-d', 'a'.repeat(5000)]);
    assert.equal(r.status, 413);
  });

  it('maps an unreachable upstream to 502 and a silent one to 504', async () => {
    const token = await airlock.token({ sub: 'alice', groups: ['ml-eng'] });
    const down = await curlJson([`${airlock.dataUrl}/down/x`, '-H', `authorization: Bearer ${token}`]);
    assert.equal(down.status, 502);
    assert.equal(JSON.parse(down.body).code, 'upstream_unavailable');
    const late = await curlJson([`${airlock.dataUrl}/slow/x`, '-H', `authorization: Bearer ${token}`]);
    assert.equal(late.status, 504);
    assert.equal(JSON.parse(late.body).code, 'upstream_timeout');
  });

  it('refuses dot segments instead of guessing what the upstream will make of them', async () => {
    const token = await airlock.token({ sub: 'alice', groups: ['ml-eng'] });
    const r = await curlJson(['--path-as-is', `${airlock.dataUrl}/echo/a/%2e%2e/b`, '-H', `authorization: Bearer ${token}`]);
    assert.equal(r.status, 400);
  });
});

describe('the audit trail of the request path', () => {
  it('holds a gap-free sequence and no secret', async () => {
    const records = await auditRecords();
    records.forEach((r, i) => assert.equal(r.seq, i));
    const text = JSON.stringify(records);
    for (const secret of ['upstream-secret-123', 'inject-secret-456', 'alk_', 'eyJ']) assert.ok(!text.includes(secret), secret);
    assert.ok(records.some((r) => r.decision === 'unauthenticated'));
    assert.ok(records.some((r) => r.decision === 'mfa_required'));
    assert.ok(records.some((r) => r.kind === 'outcome' && r.status === 200));
  });

  it('refuses the control plane to a principal the bundle does not permit', async () => {
    const token = await airlock.token({ sub: 'alice', groups: ['ml-eng'] });
    const res = await fetch(`${airlock.adminUrl}/api/v1/audit`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { code: string }).code, 'denied');
  });

  it('serves health, readiness and metrics', async () => {
    assert.equal((await fetch(`${airlock.adminUrl}/healthz`)).status, 200);
    assert.equal((await fetch(`${airlock.adminUrl}/readyz`)).status, 200);
    const metrics = await (await fetch(`${airlock.adminUrl}/metrics`)).text();
    assert.match(metrics, /airlock_requests_total\{resource="llm",action="model.invoke",decision="allow"\}/);
    assert.match(metrics, /airlock_audit_queue_depth/);
  });
});
