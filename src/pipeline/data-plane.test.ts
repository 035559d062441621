// The data plane's fail-closed paths, with fakes for the stages around it: whatever the decision
// or the failure, nothing reaches the upstream unless the decision was allow and is durable.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { GatewayMetrics } from '../admin/metrics.js';
import { ApprovalService } from '../approvals/service.js';
import { captureConfigSchema, createCapture } from '../audit/capture/index.js';
import { AuditWriter } from '../audit/writer.js';
import { storeAppender } from '../audit/append/appender.js';
import type { PolicyEngine } from '../decide/index.js';
import type { Identifier } from '../identify/index.js';
import { AirlockError } from '../lib/errors.js';
import { createLogger } from '../lib/logger.js';
import type { Decision, Effect } from '../model/decision.js';
import type { Principal } from '../model/principal.js';
import type { AuditEntry, AuditStore } from '../store/ports.js';
import { listen } from '../gateway/listen.js';
import { createDataPlane } from './data-plane.js';
import { mountResources } from './resources.js';
import { createStages } from './stages.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { rateLimitsSchema } from './rate-limits.js';
import { waitFor } from '../lib/test-wait.js';

const alice: Principal = { type: 'User', id: 'alice', groups: [], mfa: false, mfaAge: 1e9, authMethod: 'oidc' };
const identifier: Identifier = {
  async identify(h) {
    if (h === 'Bearer stale-key') throw new AirlockError('store_unavailable', 'API keys cannot be checked');
    if (h !== 'Bearer good') throw new AirlockError('unauthenticated', 'no');
    return alice;
  },
  async refreshKeys() {},
  keysHealthy: () => true,
  async close() {},
};

function engineSaying(effect: Effect | 'throw'): PolicyEngine {
  return {
    version: 'v1',
    decide(): Decision {
      if (effect === 'throw') throw new Error('engine exploded');
      return { effect, policies: [], reasons: [effect], obligations: {}, policyVersion: 'v1' };
    },
    dispose() {},
  };
}

function memoryAudit(fail: () => boolean): AuditStore & { entries: AuditEntry[] } {
  const entries: AuditEntry[] = [];
  const unused = async () => {
    throw new Error('unused');
  };
  return {
    entries,
    async appendAudit(batch) {
      if (fail()) throw new Error('disk full');
      return batch.map((e) => {
        const entry = typeof e === 'string' ? (JSON.parse(e) as AuditEntry) : e;
        return { seq: entries.push(entry) - 1, line: JSON.stringify(entry) };
      });
    },
    readAudit: unused,
    auditHead: unused,
    readNodes: unused,
    saveCheckpoint: unused,
    latestCheckpoint: unused,
    listCheckpoints: unused,
    sinkCursor: unused,
    setSinkCursor: unused,
  };
}

const unusedStore = async (): Promise<never> => {
  throw new Error('the approval store is not used by these tests');
};

let upstream: Server;
let upstreamHits = 0;
let upstreamUrl: string;

before(async () => {
  upstream = createServer((req, res) => {
    upstreamHits++;
    req.resume();
    res.end('ok');
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
after(() => upstream.close());

async function gateway(engine: PolicyEngine, failAudit: () => boolean) {
  const store = memoryAudit(failAudit);
  const audit = new AuditWriter(storeAppender(store), { retryMs: 10 });
  const log = createLogger('silent');
  const stages = createStages({
    identifier,
    engine: () => engine,
    now: () => new Date(),
    audit,
    metrics: new GatewayMetrics(() => audit.depth),
    log,
    auditMode: 'strict',
    capture: createCapture(captureConfigSchema.parse({})),
    approvals: new ApprovalService(
      { findPending: unusedStore, findApproved: unusedStore, insertApproval: unusedStore, getApproval: unusedStore, listApprovals: unusedStore, countPending: unusedStore, castVote: unusedStore, useApproval: unusedStore, expireApprovals: unusedStore },
      { ttlSeconds: 60, audit },
    ),
    holdSeconds: 0,
    rateLimits: rateLimitsSchema.parse({}),
  });
  const resources = mountResources(
    [{ name: 'api', type: 'http', upstream: upstreamUrl, inject: { headers: {} }, attributes: {}, timeouts: { connect_ms: 1000, response_ms: 1000 } }],
    { stages, log, maxBodyBytes: 1024, store: openSqliteStore(':memory:') },
  );
  const handler = createDataPlane({ resources, stages, log }).handle;
  const { server, url } = await listen('127.0.0.1:0', handler);
  return {
    url,
    store,
    close: () =>
      new Promise((r) => server.close(r)).then(async () => {
        stages.close();
        await audit.flush();
      }),
  };
}

describe('the data plane fails closed', () => {
  it('forwards nothing for any decision but allow', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<Effect | 'throw'>('deny', 'approval_required', 'mfa_required', 'throw'), async (effect) => {
        const gw = await gateway(engineSaying(effect), () => false);
        const before = upstreamHits;
        const res = await fetch(`${gw.url}/api/x`, { method: 'POST', headers: { authorization: 'Bearer good' }, body: '{}' });
        await gw.close();
        assert.ok(res.status >= 400, `status ${res.status}`);
        assert.equal(upstreamHits, before);
      }),
      { numRuns: 12 },
    );
  });

  it('answers 503 audit_unavailable and forwards nothing when the decision cannot be recorded, and records that it refused', async () => {
    let failing = true;
    const gw = await gateway(engineSaying('allow'), () => failing);
    const before = upstreamHits;
    const res = await fetch(`${gw.url}/api/x`, { headers: { authorization: 'Bearer good' } });
    assert.equal(res.status, 503);
    assert.equal(((await res.json()) as { code: string }).code, 'audit_unavailable');
    failing = false;
    await gw.close(); // the failed batch is sent again and written, then the outcome
    assert.equal(upstreamHits, before);
    const kinds = gw.store.entries.map((e) => [e.kind, e.status ?? null, e.error ?? null]);
    assert.deepEqual(kinds, [['decision', null, null], ['outcome', 503, 'audit_unavailable']]);
  });

  it('forwards an allowed request only after its decision record is written', async () => {
    const gw = await gateway(engineSaying('allow'), () => false);
    const res = await fetch(`${gw.url}/api/x`, { headers: { authorization: 'Bearer good' } });
    assert.equal(res.status, 200);
    await waitFor(() => gw.store.entries.length === 2); // the outcome is recorded when the response ends
    await gw.close();
    assert.deepEqual(gw.store.entries.map((e) => e.kind), ['decision', 'outcome']);
    assert.equal(gw.store.entries[0]!.decision, 'allow');
    assert.equal(gw.store.entries[1]!.status, 200);
  });

  it('records an unauthenticated request without its credential', async () => {
    const gw = await gateway(engineSaying('allow'), () => false);
    const res = await fetch(`${gw.url}/api/x`, { headers: { authorization: 'Bearer s3cr3t-token' } });
    await gw.close();
    assert.equal(res.status, 401);
    assert.equal(gw.store.entries[0]!.decision, 'unauthenticated');
    assert.ok(!JSON.stringify(gw.store.entries).includes('s3cr3t'));
  });

  it('answers 503 store_unavailable, forwarding nothing, when the identifier cannot check a key; 401 with invalid_token for a refused one', async () => {
    const gw = await gateway(engineSaying('allow'), () => false);
    const before = upstreamHits;
    const stale = await fetch(`${gw.url}/api/x`, { headers: { authorization: 'Bearer stale-key' } });
    const unknown = await fetch(`${gw.url}/nowhere/x`, { headers: { authorization: 'Bearer stale-key' } });
    const refused = await fetch(`${gw.url}/api/x`, { headers: { authorization: 'Bearer nope' } });
    await gw.close();
    assert.deepEqual([stale.status, unknown.status, stale.headers.get('www-authenticate')], [503, 503, null]);
    assert.equal(((await stale.json()) as { code: string }).code, 'store_unavailable');
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="no"');
    assert.equal(upstreamHits, before);
  });

  it('records anonymous refusals one by one only up to a share per address, counts the rest, and answers 429 past the burst', async () => {
    const gw = await gateway(engineSaying('allow'), () => false);
    const statuses: number[] = [];
    for (let i = 0; i < 80; i++) statuses.push((await fetch(`${gw.url}/api/x`, { headers: { authorization: 'Bearer nope' } })).status);
    await gw.close();
    assert.deepEqual(statuses.slice(0, 50), Array(50).fill(401));
    assert.ok(statuses.slice(50).includes(429), 'past the burst, 429');
    const single = gw.store.entries.filter((e) => e.kind === 'decision');
    const aggregated = gw.store.entries.filter((e) => e.kind === 'refusals_aggregated');
    assert.equal(single.length, 20);
    assert.equal(aggregated.length, 1);
    assert.equal(aggregated[0]!.count, 60);
    assert.equal(aggregated[0]!.source_ip, '127.0.0.1');
  });
});
