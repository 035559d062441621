// End to end: OpenTelemetry traces. A caller's W3C traceparent is continued: the gateway's request
// span is its child, each stage a child of that, and the upstream receives a traceparent naming
// the gateway's upstream span. Spans reach an OTLP/HTTP receiver (JSON encoding) that this test
// runs and decodes; no credential appears in them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDemoUpstream } from '../../src/dev/demo-upstream.js';
import { waitFor } from '../../src/lib/test-wait.js';
import { startAirlock, type RunningAirlock } from '../support/airlock-process.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

let receiver: Server;
const payloads: string[] = [];
let airlock: RunningAirlock;
let upstream: Awaited<ReturnType<typeof startDemoUpstream>>;
const upstreamTraceparents: string[] = [];

before(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type'] === 'application/json') payloads.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  upstream = await startDemoUpstream(0);
  upstream.server.on('request', (req: IncomingMessage) => upstreamTraceparents.push(String(req.headers.traceparent)));
  airlock = await startAirlock({
    policies: { 'p.cedar': `@id("eng") permit (principal in Group::"ml-eng", action == Action::"model.invoke", resource in Resource::"llm");` },
    resources: [{ name: 'llm', type: 'openai', upstream: upstream.url }],
    config: { telemetry: { otlp: { endpoint: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`, headers: { 'x-collector-key': 'c0llect0r' } } } },
  });
});
after(async () => {
  await airlock?.stop();
  upstream?.server.close();
  receiver?.close();
});

const spans = (): OtlpSpan[] =>
  payloads.flatMap((p) => (JSON.parse(p) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
const attr = (s: OtlpSpan, key: string) => s.attributes.find((a) => a.key === key)?.value;

describe('traces', () => {
  it('continue the caller trace through every stage to the upstream, and say what was decided', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    const token = await airlock.token({ sub: 'alice', groups: ['ml-eng'] });
    const res = await fetch(`${airlock.dataUrl}/llm/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', traceparent: `00-${traceId}-${parent}-01` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
    });
    assert.equal(res.status, 200);
    await waitFor(() => spans().some((s) => s.name === 'airlock.request' && s.traceId === traceId), 10_000);
    const mine = spans().filter((s) => s.traceId === traceId);
    const root = mine.find((s) => s.name === 'airlock.request')!;
    assert.equal(root.parentSpanId, parent);
    assert.equal(root.kind, 2);
    for (const name of ['airlock.identify', 'airlock.decide', 'airlock.audit', 'airlock.upstream']) {
      const s = mine.find((x) => x.name === name);
      assert.ok(s, name);
      assert.equal(s.parentSpanId, root.spanId, `${name} is a child of the request span`);
    }
    const decide = mine.find((s) => s.name === 'airlock.decide')!;
    assert.deepEqual(attr(decide, 'airlock.decision'), { stringValue: 'allow' });
    assert.deepEqual(attr(decide, 'airlock.policies'), { arrayValue: { values: [{ stringValue: 'eng' }] } });
    const hop = mine.find((s) => s.name === 'airlock.upstream')!;
    assert.equal(hop.kind, 3);
    assert.ok(upstreamTraceparents.includes(`00-${traceId}-${hop.spanId}-01`), 'the upstream continues the gateway span');
    assert.ok(!payloads.join('').includes(token), 'no credential in a span');
  });

  it('traces a refused request too, with the refusal', async () => {
    const res = await fetch(`${airlock.dataUrl}/llm/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await airlock.token({ sub: 'bob', groups: [] })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [] }),
    });
    assert.equal(res.status, 403);
    const id = res.headers.get('airlock-request-id');
    await waitFor(() => spans().some((s) => s.name === 'airlock.request' && attr(s, 'airlock.request_id')?.stringValue === id), 10_000);
    const root = spans().find((s) => attr(s, 'airlock.request_id')?.stringValue === id)!;
    assert.deepEqual(attr(root, 'airlock.outcome'), { stringValue: 'denied' });
  });
});
