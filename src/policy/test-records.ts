// Policy lifecycle, tests only: audit record lines made the way the gateway makes them (the
// engine decides, decisionRecord shapes the record, recordLine writes the line), so replay and
// shadow-report tests read exactly what a real log holds.
import { decisionRecord, type DecisionFacts } from '../audit/records.js';
import { bundleFromFiles, commonContext, createEngine } from '../decide/index.js';
import type { Decision } from '../model/decision.js';
import type { CedarRecord, EntityRef } from '../model/entity.js';
import { UNKNOWN_MFA_AGE, type Principal } from '../model/principal.js';
import { recordLine } from '../store/audit-line.js';

export interface RequestSpec {
  readonly user?: string;
  readonly groups?: readonly string[];
  readonly agent?: boolean;
  readonly mfa?: boolean;
  readonly action?: string;
  readonly resource?: EntityRef;
  /** Data plane: the configured resource (default: the first segment of the resource id). */
  readonly resourceName?: string;
  readonly surface?: 'data' | 'control';
  readonly context?: CedarRecord;
  readonly time?: Date;
  readonly attributes?: CedarRecord;
}

/** Decides `spec` with `policies` and returns the decision record (facts can be overridden). */
export function decided(policies: string, spec: RequestSpec = {}, over: Partial<DecisionFacts> = {}): { facts: DecisionFacts; decision: Decision } {
  const principal: Principal = {
    type: spec.agent ? 'Agent' : 'User', id: spec.user ?? 'alice', groups: [...(spec.groups ?? [])],
    mfa: spec.mfa ?? false, mfaAge: spec.mfa ? 30 : UNKNOWN_MFA_AGE, authMethod: spec.agent ? 'api_key' : 'oidc',
  };
  const resource = spec.resource ?? { type: 'Model', id: 'llm/gpt-4o-mini' };
  const surface = spec.surface ?? 'data';
  const resourceName = spec.resourceName ?? (surface === 'data' ? resource.id.split('/')[0]! : '');
  const time = spec.time ?? new Date('2024-06-03T12:00:00Z');
  const context = { ...commonContext({ principal, sourceIp: '10.0.0.1', method: 'POST', path: '/v1/chat/completions', now: time }), ...spec.context };
  const engine = createEngine(bundleFromFiles({ 'p.cedar': policies }));
  const request = { action: spec.action ?? 'model.invoke', resource, resourceName, context: {} };
  const decision = engine.decide({ principal, request, context, ...(spec.attributes ? { resourceAttributes: spec.attributes } : {}) });
  engine.dispose();
  const facts: DecisionFacts = {
    requestId: `r-${Math.random().toString(36).slice(2)}`, time, surface, principal, action: request.action, resource,
    ...(surface === 'data' ? { resourceName } : {}), context, decision, ...over,
  };
  return { facts, decision };
}

/** Record lines with seq from 0, as `airlock audit export` writes them. */
export function lines(facts: readonly (DecisionFacts | Record<string, unknown>)[]): string[] {
  return facts.map((f, seq) => recordLine(seq, 'requestId' in f ? decisionRecord(f as DecisionFacts) : (f as Record<string, unknown> & { kind: string })));
}
