// The audit records are built as text on the request path; these tests hold that text to what
// JSON.stringify would give for the documented fields in their documented order, whatever the
// strings hold, and check that a decision's cached fields never leak into another decision.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Decision } from '../model/decision.js';
import type { AuditEntry } from '../store/ports.js';
import { decisionRecord, outcomeRecord, type DecisionFacts } from './records.js';

const decisionEntry = (f: DecisionFacts) => JSON.parse(decisionRecord(f)) as AuditEntry;

const text = fc.string({ unit: 'binary', maxLength: 12 });
const decisionArb: fc.Arbitrary<Decision> = fc.record({
  effect: fc.constantFrom('allow', 'deny', 'approval_required', 'mfa_required'),
  reasons: fc.array(text, { maxLength: 3 }),
  policies: fc.array(text, { maxLength: 3 }),
  obligations: fc.option(fc.record({ approval: fc.record({ quorum: fc.nat(3) }) }), { nil: undefined }).map((o) => o ?? {}),
  policyVersion: text,
}) as fc.Arbitrary<Decision>;

const factsArb: fc.Arbitrary<DecisionFacts> = fc.record(
  {
    requestId: text,
    time: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
    surface: fc.constantFrom('data' as const, 'control' as const),
    principal: fc.record({ type: fc.constantFrom('User' as const, 'Agent' as const), id: text, groups: fc.array(text, { maxLength: 3 }), mfa: fc.boolean(), mfaAge: fc.nat(), authMethod: fc.constant('oidc' as const) }),
    action: text,
    resource: fc.record({ type: fc.constantFrom('Model', 'Resource'), id: text }),
    resourceName: text,
    context: fc.dictionary(text, fc.oneof(text, fc.integer(), fc.boolean())),
    refusal: text,
    decision: decisionArb,
    reasons: fc.array(text, { maxLength: 2 }),
    approvalId: text,
    status: fc.integer({ min: 100, max: 599 }),
    latencyMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
  },
  { requiredKeys: ['requestId', 'time', 'surface'] },
);

describe('audit records as text', () => {
  it('a decision record is canonical JSON with the documented fields in order', () => {
    fc.assert(
      fc.property(factsArb, (f) => {
        const line = decisionRecord(f);
        assert.equal(JSON.stringify(JSON.parse(line)), line);
        const keys = Object.keys(decisionEntry(f));
        const order = ['kind', 'time', 'request_id', 'surface', 'principal', 'action', 'resource', 'resource_name', 'decision', 'reasons', 'policies', 'policy_version', 'obligations', 'shadow', 'context', 'body', 'approval_id', 'status', 'latency_ms'];
        assert.deepEqual(keys, order.filter((k) => keys.includes(k)));
        const entry = decisionEntry(f);
        assert.equal(entry.decision, f.decision?.effect ?? f.refusal ?? 'deny');
        assert.deepEqual(entry.reasons, f.decision?.reasons ?? f.reasons ?? []);
        assert.equal(entry.policy_version, f.decision?.policyVersion ?? null);
        assert.deepEqual(entry.principal, f.principal ? { type: f.principal.type, id: f.principal.id, groups: f.principal.groups } : null);
      }),
    );
  });

  it("one decision's cached fields serve every request it decides, and only those", () => {
    fc.assert(
      fc.property(factsArb, factsArb, decisionArb, decisionArb, (a, b, d1, d2) => {
        const first = decisionEntry({ ...a, decision: d1 });
        assert.deepEqual(decisionEntry({ ...a, decision: d1 }), first);
        const other = decisionEntry({ ...b, decision: d2 });
        assert.equal(other.decision, d2.effect);
        assert.deepEqual(other.policies, d2.policies);
        assert.equal(other.request_id, b.requestId);
      }),
    );
  });

  it('an outcome record is canonical JSON, with error only when there is one', () => {
    fc.assert(
      fc.property(text, fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }), fc.nat(), fc.double({ min: 0, max: 1e6, noNaN: true }), fc.option(text), (id, time, bytes, latency, error) => {
        const line = outcomeRecord({ requestId: id, time, status: 200, bytes, latencyMs: latency, ...(error ? { error } : {}) });
        const parsed = JSON.parse(line) as Record<string, unknown>;
        assert.equal(JSON.stringify(parsed), line);
        assert.deepEqual(Object.keys(parsed), ['kind', 'time', 'request_id', 'status', 'bytes', 'latency_ms', ...(error ? ['error'] : [])]);
        assert.equal(parsed.request_id, id);
      }),
    );
  });
});

describe('latency in records', () => {
  it('is written as JSON.stringify writes the value rounded to the microsecond', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ min: 0, max: 1e7, noNaN: true }), fc.integer({ min: 0, max: 10_000_000 }).map((us) => us / 1000)), (ms) => {
        const line = outcomeRecord({ requestId: 'r', time: new Date(0), status: 200, bytes: 1, latencyMs: ms });
        assert.equal(JSON.parse(line).latency_ms, Math.round(ms * 1000) / 1000);
        assert.ok(line.endsWith(`"latency_ms":${JSON.stringify(Math.round(ms * 1000) / 1000)}}`), line);
      }),
      { numRuns: 3000 },
    );
  });
});
