// The access map and attestations on the control plane: GET /api/v1/graph (who touched what, with
// filters), GET /api/v1/graph/lineage?model=..., POST /api/v1/graph/rebuild (fold the whole log in
// again), POST /api/v1/attestations (decided as `attest` on the subject) and GET
// /api/v1/attestations?subject=... (the signed envelopes). `attest` is decided with the check's
// `predicate` and `result` in the context. An attestation is durable once its
// audit record is: the log is where the map, and every replica, reads it from.
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { AuditWriter } from '../../audit/writer.js';
import { AirlockError } from '../../lib/errors.js';
import { parseDuration } from '../../lib/duration.js';
import type { AccessMap } from '../../lineage/access-map.js';
import { signStatement, statementFor } from '../../lineage/attestation.js';
import { lineageOf } from '../../lineage/lineage.js';
import { formatEntity, parseEntity } from '../../model/entity.js';
import { principalUid } from '../../model/principal.js';
import type { Route } from '../routes.js';
import { parseBody } from './parse-body.js';

const entity = z.string().max(1024).refine((s) => parseEntity(s) !== undefined, { message: 'must be an entity like Model::"fraud/v3"' });

const attestBody = z.strictObject({
  subject: entity,
  predicate: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { message: 'must be a check name like "privacy-review"' }),
  result: z.enum(['pass', 'fail']),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, { message: 'must be "sha256:<64 hex>"' }).optional(),
  evidence: z.strictObject({ name: z.string().min(1).max(256), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
});

export interface LineageRouteDeps {
  readonly map: AccessMap;
  readonly audit: AuditWriter;
  readonly signingKey: KeyObject;
  readonly now: () => Date;
}

/** `since`: an ISO time, or a duration back from now (`24h`). */
function sinceOf(query: URLSearchParams, now: Date): string | undefined {
  const raw = query.get('since');
  if (raw === null) return undefined;
  if (!Number.isNaN(Date.parse(raw)) && /^\d{4}-/.test(raw)) return new Date(raw).toISOString();
  try {
    return new Date(now.getTime() - parseDuration(raw)).toISOString();
  } catch {
    throw new AirlockError('bad_request', '"since" must be an ISO time or a duration like 24h');
  }
}

function entityParam(query: URLSearchParams, name: string): string | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const e = parseEntity(raw);
  if (!e) throw new AirlockError('bad_request', `"${name}" must be an entity like User::"alice"`);
  return formatEntity(e);
}

export function lineageRoutes(deps: LineageRouteDeps): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/api/v1/graph',
      action: 'admin.graph.read',
      async handler({ query }) {
        await deps.map.catchUp();
        const type = query.get('type') ?? undefined;
        const view = deps.map.graph.view({ since: sinceOf(query, deps.now()), principal: entityParam(query, 'principal'), type });
        return { status: 200, json: { ...view, position: deps.map.position } };
      },
    },
    {
      method: 'GET',
      pattern: '/api/v1/graph/lineage',
      action: 'admin.graph.read',
      async handler({ query }) {
        const model = entityParam(query, 'model');
        if (!model) throw new AirlockError('bad_request', '"model" is required, e.g. ?model=Model::"fraud/v3"');
        await deps.map.catchUp();
        const l = lineageOf(deps.map.graph, model);
        const ids = new Set([model, ...l.runs, ...l.datasets, ...l.models]);
        const nodes = [...ids].map((id) => deps.map.graph.getNode(id) ?? { id, type: id.slice(0, id.indexOf('::')), attributes: {} });
        return { status: 200, json: { model, nodes, edges: l.edges, sensitivities: l.sensitivities, attestations: deps.map.latestResults(model) } };
      },
    },
    {
      method: 'POST',
      pattern: '/api/v1/graph/rebuild',
      action: 'admin.graph.rebuild',
      async handler() {
        const started = performance.now();
        await deps.map.rebuild();
        return { status: 200, json: { position: deps.map.position, ...deps.map.graph.size, seconds: (performance.now() - started) / 1000 } };
      },
    },
    {
      method: 'POST',
      pattern: '/api/v1/attestations',
      action: 'attest',
      // The check and its result are in the context, so a bundle can say who may attest what
      // (`when { context.predicate == "unit-tests" }`): a deploy gate that reads one attestation
      // must not be satisfiable by whoever may attest another.
      target: (_params, raw) => {
        const body = parseBody(attestBody, raw);
        return { resource: parseEntity(body.subject)!, context: { predicate: body.predicate, result: body.result } };
      },
      async handler({ principal, body: raw, requestId }) {
        const body = parseBody(attestBody, raw);
        const subject = formatEntity(parseEntity(body.subject)!);
        const time = deps.now().toISOString();
        const statement = statementFor(
          subject,
          { name: body.predicate, result: body.result, attester: principalUid(principal), time, ...(body.evidence ? { evidence: body.evidence } : {}) },
          body.digest,
        );
        const envelope = signStatement(statement, deps.signingKey);
        await deps.audit.append({ kind: 'attestation', time, request_id: requestId, subject, predicate: body.predicate, result: body.result, attester: principalUid(principal), envelope });
        return { status: 201, json: envelope };
      },
    },
    {
      method: 'GET',
      pattern: '/api/v1/attestations',
      action: 'admin.attestations.read',
      async handler({ query }) {
        const subject = entityParam(query, 'subject');
        if (!subject) throw new AirlockError('bad_request', '"subject" is required, e.g. ?subject=Model::"fraud/v3"');
        await deps.map.catchUp();
        return { status: 200, json: deps.map.attestationsFor(subject).map((a) => a.envelope) };
      },
    },
  ];
}
