// /api/v1/gate: a decision on a pipeline step that is not a proxied request (deploy a model, start
// a training run, export a dataset). The step is decided by the same bundle; when it needs an
// approval one is opened, bound to the exact action, resource and context, and the pipeline asks
// again with `approval_id` until it is approved (the step may proceed, once), denied or expired.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ApprovalService } from '../../approvals/service.js';
import type { BoundRequest } from '../../approvals/types.js';
import { GATEWAY_CONTEXT_KEYS } from '../../decide/index.js';
import type { AccessMap } from '../../lineage/access-map.js';
import { LINEAGE_ACTIONS, lineageContext } from '../../lineage/lineage-context.js';
import { isRunId, RUN_ID_RULE } from '../../model/run-id.js';
import { AirlockError } from '../../lib/errors.js';
import { formatEntity, parseEntity, type CedarRecord } from '../../model/entity.js';
import type { Route, RouteContext } from '../routes.js';
import { parseBody } from './parse-body.js';

const cedarJson: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number().int({ message: 'numbers must be integers (Cedar has no floats)' }), z.boolean(), z.array(cedarJson), z.record(z.string(), cedarJson)]),
);

/** A gate's context enters its decision record and approval: large enough for any real step, no more. */
const MAX_CONTEXT_BYTES = 16 * 1024;

const gateBody = z.strictObject({
  action: z.string().max(128).regex(/^[A-Za-z0-9_.:-]+$/, { message: 'must be an action id like "model.deploy"' }),
  resource: z.string().max(1024).refine((s) => parseEntity(s) !== undefined, { message: 'must be an entity like Model::"prod/fraud-v3"' }),
  context: z
    .record(z.string(), cedarJson)
    .default({})
    .refine((ctx) => JSON.stringify(ctx).length <= MAX_CONTEXT_BYTES, { message: `must be at most ${MAX_CONTEXT_BYTES} bytes of JSON` })
    .superRefine((ctx, issues) => {
      for (const key of Object.keys(ctx)) {
        if (GATEWAY_CONTEXT_KEYS.has(key)) issues.addIssue({ code: 'custom', path: [key], message: 'is set by the gateway and cannot be supplied' });
      }
    }),
  approval_id: z.string().min(1).max(128).optional(),
  /** The pipeline run this step belongs to: `model.register` with a run ties the model to what the run read. */
  run_id: z.string().refine(isRunId, { message: `must be ${RUN_ID_RULE}` }).optional(),
});

type GateBody = z.infer<typeof gateBody>;

function boundGate(body: GateBody): BoundRequest {
  // The run is part of what is approved: registering a model from another run is another step.
  const digest = createHash('sha256').update(JSON.stringify(body.run_id === undefined ? body.context : [body.context, body.run_id])).digest('hex');
  return { method: 'GATE', path: `${body.action} ${formatEntity(parseEntity(body.resource)!)}`, body_sha256: digest };
}

export function gateRoutes(approvals: ApprovalService, consoleUrl: () => string, accessMap?: AccessMap): Route[] {
  const approveUrl = (id: string) => new URL(`/approvals/${id}`, consoleUrl()).href;

  async function handler({ principal, body: raw, decision, context, requestId }: RouteContext) {
    const body = parseBody(gateBody, raw);
    const resource = formatEntity(parseEntity(body.resource)!);
    const decided = { policies: decision.policies, policy_version: decision.policyVersion, request_id: requestId };
    if (decision.effect === 'allow') return { status: 200, json: { decision: 'allow', ...decided } };

    const bound = boundGate(body);
    if (body.approval_id) {
      const binding = { principal, action: body.action, resource, request: bound, requirements: decision.obligations.approval!.requirements };
      const r = await approvals.redeem(body.approval_id, binding, requestId);
      if (r.state === 'used') return { status: 200, json: { decision: 'allow', approval_id: r.approval.id, ...decided } };
      if (r.state === 'pending') {
        return { status: 202, json: { decision: 'approval_required', approval_id: r.approval.id, status: 'pending', approve_url: approveUrl(r.approval.id), ...decided } };
      }
      throw new AirlockError('denied', `the approval is ${r.status} or not for this step`, { approval_id: body.approval_id, status: r.status });
    }
    const approval = await approvals.open({
      kind: 'gate',
      principal,
      action: body.action,
      resource,
      resourceName: null,
      context: context as CedarRecord,
      request: bound,
      obligation: decision.obligations.approval!,
      requestId,
      policyVersion: decision.policyVersion,
      policies: decision.policies,
    });
    return { status: 202, json: { decision: 'approval_required', approval_id: approval.id, status: approval.status, approve_url: approveUrl(approval.id), ...decided } };
  }

  return [
    {
      method: 'POST',
      pattern: '/api/v1/gate',
      action: 'gate',
      target: async (_params, raw) => {
        const body = parseBody(gateBody, raw);
        const resource = parseEntity(body.resource)!;
        const name = resource.id.split('/')[0];
        const lineage = accessMap && LINEAGE_ACTIONS.has(body.action) ? await lineageContext(accessMap, body.action, formatEntity(resource), body.run_id) : {};
        return {
          action: body.action,
          resource,
          ...(name ? { resourceName: name } : {}),
          context: { ...(body.context as CedarRecord), ...lineage },
          ...(body.run_id ? { fields: { run_id: body.run_id } } : {}),
        };
      },
      handlesApproval: true,
      handler,
    },
  ];
}
