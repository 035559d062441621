// Policy lifecycle, benchmark: `policy replay` over a synthetic audit log of N decision records
// (plus one outcome record per allowed request, as a real log has), read as record lines and
// decided again by a candidate bundle of 100 policies. The log is shaped like real traffic: 500
// users with fixed groups, each using a few (action, model) pairs, spread over 24 hours, so the
// decision cache hits only where a real one would (same user, request and hour).
import { decisionRecord } from '../audit/records.js';
import { ACTIONS, benchPolicies, GROUPS, MODELS, RESOURCES } from '../decide/bench-decide.js';
import { bundleFromFiles, commonContext, createEngine, type PolicyEngine } from '../decide/index.js';
import type { Principal } from '../model/principal.js';
import { recordLine } from '../store/audit-line.js';
import { replay, type ReplayReport } from './replay.js';

export interface ReplayBench {
  readonly records: number;
  readonly decisions: number;
  readonly changed: number;
  readonly seconds: number;
  /** Record lines read and decided (or skipped) per second. */
  readonly recordsPerSecond: number;
  readonly decisionsPerSecond: number;
}

const USERS = 500;

/** The synthetic log as record lines, decided by `live`. */
function syntheticLog(n: number, live: PolicyEngine): string[] {
  const lines: string[] = [];
  const start = Date.parse('2024-06-03T00:00:00Z');
  for (let i = 0; lines.length < n; i++) {
    const u = (i * 7919) % USERS;
    const principal: Principal = {
      type: 'User', id: `user${u}@example.com`, groups: [`g${u % GROUPS}`, `g${(u * 7) % GROUPS}`],
      mfa: u % 3 === 0, mfaAge: 120, authMethod: 'oidc',
    };
    const pick = Math.floor(i / USERS) % 4; // each user has four favourite requests, in turn
    const action = `act${(u + pick * 5) % ACTIONS}`;
    const model = `m${(u + pick) % MODELS}`;
    const resourceName = `r${(u + pick) % RESOURCES}`;
    const time = new Date(start + Math.floor((i / n) * 86_400_000));
    const path = '/v1/chat/completions';
    const context = commonContext({ principal, sourceIp: `10.0.${u % 256}.${pick}`, method: 'POST', path, now: time }, { model, stream: i % 2 === 0, max_tokens: 256 });
    const request = { action, resource: { type: 'Model', id: `${resourceName}/${model}` }, resourceName, context: {} };
    const decision = live.decide({ principal, request, context, resourceAttributes: { environment: 'production' } });
    const requestId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const entry = decisionRecord({ requestId, time, surface: 'data', principal, action, resource: request.resource, resourceName, context, decision, latencyMs: 0.4 });
    lines.push(recordLine(lines.length, entry));
    if (decision.effect === 'allow' && lines.length < n) {
      lines.push(recordLine(lines.length, { kind: 'outcome', time: time.toISOString(), request_id: requestId, status: 200, bytes: 812, latency_ms: 35.2 }));
    }
  }
  return lines;
}

export async function benchReplay(n = 100_000): Promise<ReplayBench> {
  const live = createEngine(bundleFromFiles({ 'p.cedar': benchPolicies(100) }));
  const lines = syntheticLog(n, live);
  live.dispose();
  const candidate = createEngine(bundleFromFiles({ 'p.cedar': `${benchPolicies(100)}\n@id("stop") forbid (principal in Group::"g8", action, resource);` }), { cacheSize: 100_000 });
  let report: ReplayReport;
  try {
    report = await replay(pages(lines, 5000), { engine: candidate, attributesOf: () => ({ environment: 'production' }) });
  } finally {
    candidate.dispose();
  }
  return {
    records: report.records,
    decisions: report.replayed,
    changed: report.changed,
    seconds: Math.round(report.seconds * 1000) / 1000,
    recordsPerSecond: Math.round(report.records / report.seconds),
    decisionsPerSecond: Math.round(report.replayed / report.seconds),
  };
}

/** Lines handed over a page at a time, as the store's reader does. */
async function* pages(lines: readonly string[], size: number): AsyncGenerator<string> {
  for (let i = 0; i < lines.length; i += size) {
    const page = await Promise.resolve(lines.slice(i, i + size));
    yield* page;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 100_000);
  benchReplay(n).then((r) => console.log(JSON.stringify(r)));
}
